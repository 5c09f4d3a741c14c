mkcert oldca "Old Root CA" ca-b self 20200101000000Z 20300101000000Z ca
mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
# The values do not hold the running chain (tls.type secret): the server's chain says which CA clients trust.
mkcert running "kafka.example.com" other oldca 20260101000000Z 20270101000000Z leaf
key other running
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
printf "global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: secret\n  secretName: es-tls\n" > prev.yaml
