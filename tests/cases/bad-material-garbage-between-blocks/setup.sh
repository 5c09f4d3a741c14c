mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert inter "Example Issuing CA" inter ca 20250101000000Z 20340101000000Z ca
mkcert leaf "kafka.example.com" leaf inter 20260601000000Z 20270601000000Z leaf
key leaf tls
{ cat leaf.pem; echo "Subject: CN=Example Issuing CA (pasted from a mail)"; cat inter.pem; } > tls.pem
