mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert inter "Example Org CA" inter ca 20250101000000Z 20340101000000Z ca-nc
mkcert tls "kafka.example.com" leaf inter 20260601000000Z 20270601000000Z leaf
key leaf tls
cat tls.pem inter.pem > bundle.pem && mv bundle.pem tls.pem
