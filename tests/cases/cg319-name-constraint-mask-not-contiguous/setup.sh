mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
# An IP address constraint whose mask is not a prefix (RFC 5280 §4.2.1.10 gives the address and
# a mask; clients read the mask as a CIDR prefix and refuse the chain).
mkcert inter "Issuing CA" inter ca 20250101000000Z 20340101000000Z ca-badmask
SAN=DNS:kafka.example.com,IP:10.0.0.1 mkcert tls "kafka.example.com" leaf inter 20260601000000Z 20270601000000Z leaf
key leaf tls
cat tls.pem inter.pem > bundle.pem && mv bundle.pem tls.pem
