mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert other "Other Root CA" other self 20250101000000Z 20350101000000Z ca
# The same CA twice (same name, same key): cross-signed by a root clients do not trust, and by
# the root they do. The first one in the bundle leads nowhere; clients try the second.
mkcert cross "Issuing CA" inter other 20250101000000Z 20340101000000Z ca
mkcert inter "Issuing CA" inter ca 20250101000000Z 20340101000000Z ca
mkcert tls "kafka.example.com" leaf inter 20260601000000Z 20270601000000Z leaf
key leaf tls
cat tls.pem cross.pem inter.pem > bundle.pem && mv bundle.pem tls.pem
