# RSASSA-PSS with the longest salt the key allows (222 bytes for RSA-2048 and SHA-256), what
# `-sigopt rsa_padding_mode:pss` alone signs with in OpenSSL 3.0: valid for OpenSSL and Java, refused
# by Go and rustls, not checkable by certgate. Neither the CA's self-signature nor the leaf's
# signature is shown false: CG316 on the leaf, and no CG304 or CG311.
export SIGOPT="rsa_padding_mode:pss rsa_pss_saltlen:max"
mkcert ca "Example PSS Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
