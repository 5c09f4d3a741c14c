mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
cat > new.yaml <<YAML
global:
  security:
    externalCertificateLabel: upgradedlabel1
tls:
  type: provided
  key: $(b64 tls.key)
  cert: $(b64 tls.pem)
  cacert: $(b64 ca.pem)
kafka:
  brokers: 5
  resources:
    requests:
      cpu: 1000m
YAML
