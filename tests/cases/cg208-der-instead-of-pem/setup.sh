mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
openssl x509 -in tls.pem -outform DER -out tls.der
printf "global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: provided\n  key: %s\n  cert: %s\n  cacert: %s\n" "$(b64 tls.key)" "$(b64 tls.der)" "$(b64 ca.pem)" > new.yaml
