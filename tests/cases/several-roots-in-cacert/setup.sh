mkcert old "Old Root CA" other self 20250101000000Z 20350101000000Z ca
mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
# Old and new CA side by side, the old one first: each is a trust anchor, whatever the order.
cat old.pem ca.pem > bundle.pem && mv bundle.pem ca.pem
