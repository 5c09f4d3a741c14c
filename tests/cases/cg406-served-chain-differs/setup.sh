mkcert oldca "Old Root CA" ca-b self 20200101000000Z 20300101000000Z ca
# What the previous values say runs, what the server really serves (changed outside Git), and the new certificate.
mkcert running "kafka.example.com" leaf oldca 20260101000000Z 20270101000000Z leaf
mkcert outside "kafka.example.com" other oldca 20260201000000Z 20270201000000Z leaf
key other outside
mkcert tls "kafka.example.com" leaf oldca 20260601000000Z 20270601000000Z leaf
key leaf tls
printf "global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: provided\n  key: placeholder\n  cert: %s\n  cacert: %s\n" "$(b64 running.pem)" "$(b64 oldca.pem)" > prev.yaml
