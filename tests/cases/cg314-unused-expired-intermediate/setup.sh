mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert old "Retired Issuing CA" other ca 20200101000000Z 20250101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
# A leftover intermediate nothing on the chain uses: clients never look at it, so its expiry
# is a reason to remove it (CG314), not an error.
cat tls.pem old.pem > bundle.pem && mv bundle.pem tls.pem
