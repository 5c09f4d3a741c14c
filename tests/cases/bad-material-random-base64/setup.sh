mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
key leaf tls
# 640 fixed bytes that look random (not PEM, not DER), base64-encoded as a values file holds them.
noise=$(for i in $(seq 1 10); do printf 'seed%s' "$i" | openssl dgst -sha512 -binary; done | base64 -w0)
printf 'global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: provided\n  key: %s\n  cert: %s\n  cacert: %s\n' "$(b64 tls.key)" "$noise" "$(b64 ca.pem)" > new.yaml
