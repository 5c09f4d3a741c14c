mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert inter1 "Issuing CA 1" inter ca 20250101000000Z 20340101000000Z ca
mkcert inter2 "Issuing CA 2" other inter1 20250101000000Z 20340101000000Z ca
mkcert leafcert "kafka.example.com" leaf inter2 20260601000000Z 20270601000000Z leaf
cat leafcert.pem inter1.pem inter2.pem inter1.pem > tls.pem
key leaf tls
