#!/usr/bin/env bash
# Deterministic test certificates with the real openssl CLI: fixed keys (keys/), fixed dates and
# serials (openssl ca -startdate/-enddate), RSA signatures (deterministic), so every run makes the
# same bytes and no certificate in the repository can expire. Source this file, then call
#
#   mkcert OUT CN KEY ISSUER START END [EXT] [DIGEST] [SERIAL]
#
#   OUT     file name without .pem (OUT.pem is written; OUT.keyname remembers the key)
#   CN      subject common name
#   KEY     a key of keys/ without .key (ca-a, leaf, ec256, weak, ...)
#   ISSUER  `self`, or the OUT name of an earlier certificate
#   START   YYYYMMDDHHMMSSZ, END likewise
#   EXT     ca | ca-nokeysign | ca-false | ca-nc | ca-badmask | ca-client | ca-critext | leaf | leaf-client | leaf-ca
#           | leaf-wrong-akid
#           | v1 (default leaf)
#   DIGEST  sha256 (default), sha1, sha384, md5
#   SERIAL  hex serial (default: derived from OUT)
#
# Hostnames of leaf certificates come from $SAN (default DNS:kafka.example.com). $SIGOPT, when set,
# holds `openssl ca -sigopt` values separated by spaces: `SIGOPT="rsa_padding_mode:pss
# rsa_pss_saltlen:max"` signs with RSASSA-PSS. PSS salts are random, so such a certificate's
# signature (and fingerprint) differs from run to run; everything else stays the same.
set -euo pipefail
CERTS_HOME=${CERTS_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
KEYS=$CERTS_HOME/keys

mkcert() {
  local out=$1 cn=$2 key=$3 issuer=$4 start=$5 end=$6 ext=${7:-leaf} md=${8:-sha256}
  local serial=${9:-$(printf '%s' "$out" | sha256sum | cut -c1-16)}
  local d
  d=$(mktemp -d)
  : > "$d/index.txt"
  echo "$serial" > "$d/serial"
  cat > "$d/ca.cnf" <<CNF
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = $d
database = $d/index.txt
new_certs_dir = $d
serial = $d/serial
default_md = $md
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
commonName = supplied
[ ca ]
[ x_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ x_ca-nokeysign ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature
[ x_ca-nc ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:.example.org
[ x_ca-badmask ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;IP:10.0.0.0/255.0.255.0
[ x_ca-client ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = clientAuth
[ x_ca-critext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
1.3.6.1.4.1.55738.666.1 = critical,ASN1:NULL
[ x_ca-false ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyCertSign,cRLSign
[ x_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${SAN:-DNS:kafka.example.com}
[ x_leaf-wrong-akid ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${SAN:-DNS:kafka.example.com}
# AuthorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier } naming a key no CA here has (RFC 5280
# §4.2.1.1), so the issuer's subjectKeyIdentifier does not match it.
2.5.29.35 = DER:30:16:80:14:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01:01
[ x_leaf-client ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
subjectAltName = ${SAN:-DNS:kafka.example.com}
[ x_leaf-ca ]
basicConstraints = critical,CA:TRUE
extendedKeyUsage = serverAuth
subjectAltName = ${SAN:-DNS:kafka.example.com}
CNF
  openssl req -new -key "$KEYS/$key.key" -subj "/CN=$cn" -out "$d/req.csr" 2>/dev/null
  local ext_args=(-extfile "$d/ca.cnf" -extensions "x_$ext")
  [ "$ext" = v1 ] && ext_args=()
  local sig_args=() opt
  for opt in ${SIGOPT:-}; do sig_args+=(-sigopt "$opt"); done
  if [ "$issuer" = self ]; then
    openssl ca -batch -notext -config "$d/ca.cnf" -selfsign -keyfile "$KEYS/$key.key" -md "$md" \
      -startdate "$start" -enddate "$end" "${ext_args[@]}" "${sig_args[@]}" -in "$d/req.csr" -out "$out.pem" 2>"$d/err" \
      || { cat "$d/err" >&2; return 1; }
  else
    local ikey
    ikey=$(cat "$issuer.keyname")
    openssl ca -batch -notext -config "$d/ca.cnf" -cert "$issuer.pem" -keyfile "$KEYS/$ikey.key" -md "$md" \
      -startdate "$start" -enddate "$end" "${ext_args[@]}" "${sig_args[@]}" -in "$d/req.csr" -out "$out.pem" 2>"$d/err" \
      || { cat "$d/err" >&2; return 1; }
  fi
  echo "$key" > "$out.keyname"
  rm -rf "$d"
}

# The key file of a fixture key, copied here as NAME.key.
key() { cp "$KEYS/$1.key" "${2:-$1}.key"; }

# A values-file line `  NAME: BASE64` of FILE (base64 -w0, as the chart wants it).
b64() { base64 -w0 < "$1"; }
