mkcert oldca "Old Root CA" ca-b self 20200101000000Z 20300101000000Z ca
mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
