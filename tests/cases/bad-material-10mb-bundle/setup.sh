mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
# 2^14 copies of the certificate: about 18 MB, over the 1 MiB PEM limit.
for i in $(seq 1 14); do cat tls.pem tls.pem > twice.pem && mv twice.pem tls.pem; done
