//! Test material for the crypto unit tests: certificates made with `rcgen`, and the keys `rcgen`
//! cannot make with its `ring` backend (RSA), generated once with `openssl genpkey` and kept here.
//! THESE KEYS ARE PUBLIC TEST FIXTURES: never use them for anything else.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SignatureAlgorithm,
};

use crate::source::pem;

/// Key algorithms the unit tests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rsa2048,
    Rsa3072,
    EcP256,
    EcP384,
    Ed25519,
}

impl Alg {
    fn sign_alg(self) -> &'static SignatureAlgorithm {
        match self {
            Alg::Rsa2048 | Alg::Rsa3072 => &rcgen::PKCS_RSA_SHA256,
            Alg::EcP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Alg::EcP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Alg::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }

    /// A key for `slot` (0 root, 1 intermediate, 2 leaf): fixed RSA keys, fresh EC and Ed25519 ones.
    pub fn key(self, slot: usize) -> KeyPair {
        let pem = match self {
            Alg::Rsa2048 => RSA_2048[slot % 3],
            Alg::Rsa3072 => RSA_3072[slot % 3],
            _ => return KeyPair::generate_for(self.sign_alg()).expect("rcgen key generation"),
        };
        KeyPair::from_pem_and_sign_algo(pem, self.sign_alg()).expect("fixture RSA key")
    }
}

/// Midnight UTC on 1 January of year `y`: the test certificates' validity bounds.
pub fn date(y: i32) -> time::OffsetDateTime {
    time::Date::from_calendar_date(y, time::Month::January, 1)
        .expect("valid date")
        .midnight()
        .assume_utc()
}

/// A certificate with its key (PKCS#8 DER) and what it takes to issue others.
pub struct Ca {
    pub der: Vec<u8>,
    pub key_pkcs8: Vec<u8>,
    params: CertificateParams,
    key: KeyPair,
}

/// A leaf certificate and its key.
pub struct Leaf {
    pub der: Vec<u8>,
    pub key_pkcs8: Vec<u8>,
}

/// A CA named `cn` (basicConstraints CA=true, keyCertSign), valid 2024 to 2034.
pub fn ca_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date(2024);
    params.not_after = date(2034);
    params
}

impl Ca {
    /// A self-signed root with its key in `slot` 0.
    pub fn new(alg: Alg, cn: &str) -> Ca {
        Ca::new_slot(alg, cn, 0)
    }

    pub fn new_slot(alg: Alg, cn: &str, slot: usize) -> Ca {
        Ca::with_params(alg, ca_params(cn), slot)
    }

    /// A self-signed certificate from `params`.
    pub fn with_params(alg: Alg, params: CertificateParams, slot: usize) -> Ca {
        let key = alg.key(slot);
        let der = params.self_signed(&key).expect("self-signed").der().to_vec();
        Ca {
            der,
            key_pkcs8: key.serialize_der(),
            params,
            key,
        }
    }

    /// An intermediate CA signed by this one, its key in slot 1.
    pub fn intermediate(&self, alg: Alg, cn: &str) -> Ca {
        self.issue_ca(alg, ca_params(cn), 1)
    }

    /// A CA-like certificate from `params`, signed by this one.
    pub fn issue_ca(&self, alg: Alg, params: CertificateParams, slot: usize) -> Ca {
        let key = alg.key(slot);
        let issuer = Issuer::from_params(&self.params, &self.key);
        let der = params.signed_by(&key, &issuer).expect("signed").der().to_vec();
        Ca {
            der,
            key_pkcs8: key.serialize_der(),
            params,
            key,
        }
    }

    /// A server certificate signed by this CA, its key in slot 2.
    pub fn leaf(&self, alg: Alg, cn: &str, sans: &[&str]) -> Leaf {
        self.issue_leaf(alg, leaf_params(cn, sans))
    }

    /// A certificate from `params` signed by this CA, its key in slot 2.
    pub fn issue_leaf(&self, alg: Alg, params: CertificateParams) -> Leaf {
        let key = alg.key(2);
        let issuer = Issuer::from_params(&self.params, &self.key);
        let der = params.signed_by(&key, &issuer).expect("signed").der().to_vec();
        Leaf {
            der,
            key_pkcs8: key.serialize_der(),
        }
    }

    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.der)
    }
}

impl Leaf {
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.der)
    }

    pub fn key_pem(&self) -> String {
        pem("PRIVATE KEY", &self.key_pkcs8)
    }
}

/// A server certificate named `cn` with DNS names `sans` (serverAuth), valid 2025 to 2027.
pub fn leaf_params(cn: &str, sans: &[&str]) -> CertificateParams {
    let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = date(2025);
    params.not_after = date(2027);
    params
}

/// `der` as a PEM block under `label`, in lines of 64 characters as OpenSSL writes them.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The RSAPrivateKey inside a PKCS#8 RSA key.
pub fn pkcs8_inner(pkcs8: &[u8]) -> &[u8] {
    use crate::crypto::der::{self, Tlvs};
    let seq = der::single(pkcs8, der::SEQUENCE).expect("PKCS#8");
    let mut r = Tlvs::new(seq);
    r.expect(der::INTEGER).expect("version");
    r.expect(der::SEQUENCE).expect("algorithm");
    r.expect(der::OCTET_STRING).expect("private key")
}

fn pem_body(text: &str) -> Vec<u8> {
    pem::scan(text).blocks.remove(0).der.expect("fixture PEM")
}

/// A SEC1 P-256 key (with its curve and public point) and a certificate for it, both from OpenSSL.
pub fn sec1_fixture() -> (Vec<u8>, Vec<u8>) {
    (pem_body(SEC1_P256), pem_body(SEC1_P256_CERT))
}

/// RSASSA-PSS certificates (RSA-2048, SHA-256) from OpenSSL 3.0, made with
/// `tests/certs/mkcert.sh` as `SIGOPT="rsa_padding_mode:pss SALT [MGF1]" mkcert OUT CN KEY ISSUER
/// 20250101000000Z 20350101000000Z ca` (the leaf: `... leaf pss_max 20260601000000Z 20270601000000Z
/// leaf`), each named after its options.
pub struct PssFixtures {
    /// Self-signed, `rsa_pss_saltlen:digest`: a salt of 32 bytes, what `ring` verifies.
    pub salt_digest: Vec<u8>,
    /// Self-signed, `rsa_pss_saltlen:max` (OpenSSL 3.0's default): a salt of 222 bytes.
    pub salt_max: Vec<u8>,
    /// A leaf `salt_max` signed with `rsa_pss_saltlen:max`.
    pub salt_max_leaf: Vec<u8>,
    /// Self-signed, `rsa_pss_saltlen:digest rsa_mgf1_md:sha1`: MGF1 over SHA-1 for a SHA-256
    /// signature.
    pub mgf1_sha1: Vec<u8>,
}

pub fn pss_fixtures() -> PssFixtures {
    PssFixtures {
        salt_digest: pem_body(PSS_SALT_DIGEST),
        salt_max: pem_body(PSS_SALT_MAX),
        salt_max_leaf: pem_body(PSS_SALT_MAX_LEAF),
        mgf1_sha1: pem_body(PSS_MGF1_SHA1),
    }
}

/// The same SEC1 key re-encoded without its `[1]` public key.
pub fn sec1_without_public(sec1: &[u8]) -> Vec<u8> {
    use crate::crypto::der::{self, Tlvs};
    let seq = der::single(sec1, der::SEQUENCE).expect("SEC1");
    let mut r = Tlvs::new(seq);
    let mut kept = Vec::new();
    loop {
        let before = r.remaining();
        let Some(tlv) = r.read() else { break };
        let raw = &before[..before.len() - r.remaining().len()];
        if tlv.tag != der::CONTEXT_1_CONSTRUCTED {
            kept.extend_from_slice(raw);
        }
    }
    let len = u8::try_from(kept.len()).expect("short SEC1");
    assert!(len < 128);
    let mut out = vec![der::SEQUENCE, len];
    out.extend(kept);
    out
}

const RSA_2048: [&str; 3] = [
    "-----BEGIN PRIVATE KEY-----\n\
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDSsnZTJa0XtqHz\n\
RfWqDcQkDIqH9fAMnWMgX4Eu2sHBz1/T/FInXsPUuwJe9U8h7OtKoeD/7p0RX6wP\n\
/XLUMqBDrLys+mizRR5VPk3Z+zG5tb74MUt/8HJzNVfbYGC5YGfU8t3qERboL81r\n\
39SkyI1mecJaJO/0fwu60QVXwtklXYjcsBfPNgFipPn76O1XXOJgr+wQemAphdu0\n\
84gjGzKEhN0s1BSVlrnyvyesDcY+zPZSWmPSWCGAnOQzr3kFA4NcjbclsAjPxOK3\n\
kluQrUQS9KSsuBgUk/tqwHHb5JDbh8MfYcgzCZqQJ0+VUhu9b1JCks6sl3ICbXQH\n\
OWrWKf5PAgMBAAECggEANIluarYyzn5qLIRtyMzs8wYzhspi5GpcPMbDqgC/HooM\n\
fYnlnE6LayCEa1QkurNeSjpKJdcEUEA4YbZTaykCgE1ysHkyIT1jXmMOO4Pgtstk\n\
RnPYPRsiFqse8KM8Cw1IZrd2cTZ4rUW6JaNm3P3rEDndJege8yq4rIkRGXyK879G\n\
gukRLUImPdk4vvGyqT80sS7LUzRhrlZbaq+lapwC3sZkzJrmz+QaNxqJTYiI1LK+\n\
w56/0U5nGsO5KjP28Jgoz/32zkyvFde3w+CC/trZA0V8YDBO5IKVFcj5C/BN8Z/L\n\
XeZ1xtdbHNcy16RvMKlnAOZhsgQCKbXgQ1tJA7tidQKBgQDybrjKXF/CdK6Y5XIG\n\
elLaSZ6s2JOCf5yvmHeeQkeVuzFYesJbQVC+KGRseV1IfBs4TBReXUGZSdDPgA2C\n\
XaDU04lhLhFWZoY2lPQMQQDfxebu9wfAkEPECXgeks7wYVGz8lMRD7FvYhDZbal9\n\
lwDDdRjemNrRa8JwvDivginP7QKBgQDefRMFgcLaDPsf3HygPl0xjwz6WizMj62Z\n\
iPm1ALEP7KPpyTRInEAfeTnZvLDIf2S/C31ugJ9PZmZhcuR0PItV544CMvAg8oqi\n\
JZsvvz8cQrzdb17pHboxX9MgIXfqN3bIMSQepN+nVb+Nte/+N9e//u89l59kdd0S\n\
pEPQY+snqwKBgQDPicnYMswnhAwUCBhdQ0q6ZFvaTG27QdO43yVH7iWqIN5ViIHp\n\
7ThaEeomkp8w9k23HCozvlHyECcZ+92UxOJyT8VD1FQzSwGKqGlkNCGzb5AK8p9I\n\
UjgxEooqYjOVxTpUehZyfKTBXYpfGGoIgcS9jvkDVoe80Ctcp0U/uoZg4QKBgQCX\n\
46FJwCWLAROr07WNHCY5QCSnAUrWODxWtelrRVabvXzFjOPRskIgen0hBa1Wo4ne\n\
1vRBrTOVXB4G5w3JwM+KzPLo02eVxp8YRT4loZVvMKyJK5AK642CSZ3zsIWR8113\n\
G/1BomNBdMu57fwyfGMhIuSnEszxI3nSUSwupxgR0wKBgE21ZOBi0lQaJ+ynpWVr\n\
ynVBnVm752xhZfL1kgl3deXOeY+xhDq6pRqqXdnk0rGAD6lTGYHoR92fsp5xCY2J\n\
Hng6/D5JkHUS5qwFGSD/CtC/pkIb3SjwUOkdnq8z/FMJenIkgBoercxHzugKnhPA\n\
L4+2nnzkyl25hUf9iy+rneOs\n\
-----END PRIVATE KEY-----\n\
",
    "-----BEGIN PRIVATE KEY-----\n\
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDAUtenn43BqKmJ\n\
rFXtkfDGAl4550NUAVrA7zOzheaAFUxD56NH4jpQGEmDut1wlyeOk7c0NdhaMgpE\n\
Hyehztm04RS8rMRAt4vkmATC6HKS8EN4z+V28NaEo6TYc1JooO/GETnQB/7wt5Nz\n\
KQBLWN9jN0X8x87oxM5dtWoYJ6ozbP5wRHEXrzGCq8H9gmcsLzeG8BHZNqfHSiPR\n\
hKNEGvgYy7ddqi9IT0o8ks0Mf3f12qMD1YG34g1ZHcU2dVIj5gDVTbE7gyxRG6NT\n\
cJsvXMLlsQeSbGuTONzYwpIExX1nhfg/khSqtCGTufc86WEjmumqWhn7DuMHgImW\n\
WcU3mgdzAgMBAAECggEASX9/Td5yaKeBvwzeu88xoiJmix9fwhtQaPohGoLZ/2nk\n\
PvEnm8GPgmt9sLt5g90oL1sxQOExAOsttDHpzfMEjRUVfTNTPt5GNoKIE0qM+q2a\n\
Q3HD4iwQ9xio11VfEYArkdikbOWZXrnxPinVpHXezQZjF0LuxlLsALDjTj7eUw8z\n\
BDXjsZeLMcpf+DK9LfuwUnu2KWP6zfjliW7QRdcHdz+Av1FEblPgAKHVNizLEz5N\n\
KutrVIquqgiwkaM8gRMdBdffwOMdDMzzt01lhzXhjGEKSYDUWXdYGXunURPGIy8t\n\
GthsQ9akgjqTsycSB7PIl8jC2YRZXdEPAI/dTUSwTQKBgQDm8Mh5cpZMrRyHZ/pG\n\
s3ROAydRKBvgEMSaRqtMmc46rrdAmpbtlRUL7a/kFNIJCocwIdbX1waxpfqS8KiN\n\
s1ND1Pk/T8VeThu6ofZTaqChIJ3HmXd88wdEpJsVbeXEr/dbDT54vsEWgJ1dqzQS\n\
JEdsn/rd2Nj84UgKiKk4JkAbbwKBgQDVMVUYq6GjTnkJGLIY3qYmPlMICT9UcRCv\n\
qOLWVDOshUtzMQQz/gOsT41syvLW0HM3v++qjvfP/dJVd3kFoO3uvoFPkwVkE/o0\n\
iy1LZWATSy3UNTXxFLsjWr9mLTRFUBE9lI8d7hjJjotf//qg07vYjABSn3thUg+f\n\
bwJJr91iPQKBgQDDMBlQxG+SCPJG47Pd08jmMrYlWtAMlj+E4Vvg11I9uPO7j60m\n\
ys1KEq+KB6rp51MRdFhgfyXyOgXJ8cuUUE980mGDiEmZhkzbdg56vHFdHfMdA3HB\n\
Uqr+8lz9RLBhiBR5iX0Wkqsh+LyIsa3F85HGloRywtfLDCFWfeEASxv90wKBgBgu\n\
0mJMBbfKjPw1Ku6bQumPpEeDFQX1FVl3pNN/FaV6MUbNxpZHOA9xrq8qjkVDu+4U\n\
/ZCxSvby6cr8FGRJDvRH888c9D2X7ofLScYFp9JIcthheM7x9RBbmN50Pjumi24a\n\
zektOu6SFsk69ikMG4DC0L6OjKZLcq45H19QbaJZAoGBANpyJpQ5mGN+3QYBkxzY\n\
6gbNAqCBd+BsXcVi4ViuqjQdiv0n7/n7lUbdohQ8H3GUsrIqgrqVCtj1zjmpO/F2\n\
Ep9u7cihaeWjZrGFZI3eVZRG0PYFZqmq8eyqVdExCZBHAKFshsfod5HBOBjXU9dO\n\
bPOhNj/CMaWoxMXs6NK1xJ+f\n\
-----END PRIVATE KEY-----\n\
",
    "-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC6wuVUouQq7LFp\n\
vt/RuucxNMYLUROen2fkOysklArWuU5Gm7f+sBZD2b8Jl4F+zKjP4PisYWB7bV94\n\
6ANTkx90R90igElZJe0/Nb58DBIh9hqDeLxeeyjtnHbdTNewE24GRUSCbBQJkG+t\n\
nARPeXHm2JgVOsfFJVBZ8IjazB2G9PTzzSDNMdgvj3koOTacBWwxzCyObUKVsJJQ\n\
PYyfmqYxsCTGos6ae8zEWwtSdRSv/A/FOSYd40JfU3oZG/D7LjoVMTKL6jiIpLb3\n\
98B9h6WEU3riGyIYQ08rzNfhRsD/76nKaHV8bY2XL6Xv4Wg4DUm1B6CgoR1G0cuh\n\
LgM6ylujAgMBAAECggEALBZ8Ksm1UUjE7PCpR4p2r1AE/IDsP8LjtKYfHihwkpX2\n\
G4cBHXeWGfhaN7pzUGqh40j5i0AFlb2RDyq+NkmB4GJimpVsO0ZPxl86k3AKC8hc\n\
I/MpjKhIVidcjAtq018S1xoc/SjkZgmZw4MUJWrG77br1/8jT6/qUwEMXZJX2has\n\
OEjZ2RDdSV2c95lGr5MEm+wu/4PamkOzTqHuqUw8KQqVu+88tSJ30Tsd/D1Iu1W0\n\
vEXZMdbPHfzHwojYrFz98QM/UTjgdmqkBJe9ceBgsVOeMwgddKPnFc9YhKpFRbQq\n\
PD7baTna0Q1eK0KS88HK6TM0pMDGNAuycrYZLoXxGQKBgQDjUOYwHQBxcRJBCCP8\n\
0z0j3BdkrtCyQX2zZuwlnZuoBFcAq9vUxT9jutGVaOdjX4s0D2DRYwiNBhrkMJ/s\n\
vXumqXrh8Rg+9lAKC6ZDCYVoCRAW8fnbO8EpLzsxR0J44mBQqmvVLMZm9Wer3DiG\n\
eBJE/09L55NG19fZIRjN1SMzLQKBgQDSU/AwFN7GoXNeQ0qE6RqNOKcls1FFyEWC\n\
hgPTI6NUuvqced+0A783QIYlyREtIDckDfcVkyhlz15zEkF8b4KEoKjjxEzxB0ir\n\
8Wb77cxaehVQiLjXDoY5OBTp1Q9rPs/3LQp7V/SGPhkz7nuOTCe3syc/qLtRahi7\n\
tMa6Pk1MDwKBgQDQonTTnhrFBAnEBGu7ZkpMenpCH61Onot3uLRvhevS10DfTd1z\n\
uSKIL3SjVGhjrdK/EopDREkZ3ouZ+wMdr4ApJI6zh6xARaSKw8xy5O874G2TEb7I\n\
uFx+p2oFvajF+Mh74R8dxn3HC+B+PZ7n1Ja4Gzi1qzNip0Lmd9kjOkeXdQKBgEHP\n\
VcYVoacQ+WIzN+vibBZn9ZTMSM/G3Ej82dGEwyRN5QB0+dP/oCMPo2nLQf6Wp+o2\n\
HGu5wdgpTGpA+hCPa41IH9A0qcZ4+voh7JFDVL+yl1y9iuhvePwKWjDYI5zw6G10\n\
wGTbnn0qjQQ8yJg7p+nIuq0mhIXy5o5FADFiMRltAoGAP4D+BSTZo8fyQhdPCGVe\n\
n8ZZBCLvlE16tXliDX9rle76UtGbE+Vd/8aA3113XD2lk2BWFFcGRUA6FnOJi8zx\n\
rL5BY1T7wSHYspcq+EnwzT20YePcUZUxRelcMKbtYl0loOL3KOXf2V2I7LrI70Eh\n\
AXCALdiD+Xer3VsvifhV0IY=\n\
-----END PRIVATE KEY-----\n\
",
];

const RSA_3072: [&str; 3] = [
    "-----BEGIN PRIVATE KEY-----\n\
MIIG/QIBADANBgkqhkiG9w0BAQEFAASCBucwggbjAgEAAoIBgQC2ncRyNh789ugo\n\
KyttJRJmVulXzMnP2XFfNqOKeW9gtcSuewRsETez1WD0lZ526wghYvBVfc+JNUN6\n\
b6lJD7txe7lgL6UsljspoHqWOOi05YBtbLxji3xWo99wE9LE4NYA0llUyH6Ysrec\n\
I9yiWgWSXpFgATxchYlgeAiKZ8kH9AWAQcdW83nKiqxcOuyGTMlkCGjXdBz7uv7C\n\
rOUgC9IsWkKJ2vcLhuzf/O7Y+7q8gOSJhoBjM/SWMDNxofNgs+GYZuYBvMpkpHQD\n\
WmQRK9R4R2j/S/hccTfpkZGi9oH92lJtSThb7SARLBfUwu+0aXh2dYCq+4Kd4oCM\n\
fk45wvvShX4e/ozXA8hB2aUw5whzYAW1AFUCgb7Fbvl7kdIyNLoMUbmCjZXbjobI\n\
Qttko6ctjqwpdO2RLm/kmjvbI3jogkOrP0cNVwFKCeAPxJ5WNU70oHtUyjXOc7rp\n\
sAwxjkB/RlwruHsGhmKeu6m/Qqr2BfMSOcj1OH5GPBizyyX1DgcCAwEAAQKCAYAA\n\
zxrIsBQGZjL0bUSIUOq6SKud95/z63BaI0wpgozgw81hlyqXg/gC3vDKr0MAHzMZ\n\
BW7ad2/iRA8kIrcq8LE8OSJtb6iZVaJgy9TfMioDFc/c1ud6wBUb7nvrQNs6g2Mk\n\
pnSThekxqfuwQGRrf7SYnRH4d+ju4VSQzddT2E6Gr35laWUwWGxzXkE8jgea4goz\n\
sZSCp9ayXXYKzL3zHLpLTKxmH0c1kN0fHOgTTqzZcES9leVJteLhK3N+5GBx+Y9b\n\
XZismnPVvP++QRs2X3UqADTqIV5he0pLD/AXcdDhDwM624mzYhZKwdf64J42AmWi\n\
71rhzrXOHoqpKhj4JOv+sN5v6G0e/aUmPRW9PJvVjSufIcU1AJcZeBPcd4fsi1oB\n\
VrjwerfHpUXn4MvoKwpeBTT7k1n7orKgoevHuFudnCAZ9KK1l0gRgFAA3L9HcYgU\n\
fGMxHQFPtytdPv6FCg0ktpU1252PFgBXQwhLzvkaDrW3kNgwaHzdTxsJdpSPXUEC\n\
gcEA7voosYDznqQIQRm+G4TU0FZHaEsIEA8f/sOReSvSjHfFL/Q6XMNapRDHnwcf\n\
bPiYkcQBU2OJJ8bOKQdVUoQhIXfAM/PAgqGVhdwxpOAXYGrRt4bvk87J+SvuIFId\n\
opsZ4xiRe9sVLeHjB2244/1nrK/lX7kXROBm/z15AIs33MxUmbQxZRxmzh+3fwuB\n\
R57EZ8956L0dFLWTffsVGGJX5ycdSxopDqY4n1yyBHOnfgqi/ZhVt0+28jmyf5l1\n\
CdlnAoHBAMOf2Hiuqs/Y59yLL2IanyQ8J3cC1twak6N5N6t9ZOYqKNXI4+hsxrw5\n\
0XwKNgIg8rR/sXVYPhgLIzeXL1u7WgEeYdNbAuyLOQJStM5wZQd9uJK7Om1ogYfq\n\
32B8yfNJyLNPP6fFYOi0YhOvaMeHgLLq0we/wNqMHOKHA9TjfoCfjpfM7E8uQ/h+\n\
JAChecQZwOixjACZNqhFlBjM+piFZD8DZBwkkNXgFOXD4FtXw15IhHLGsxew/P/5\n\
3VNkhJYiYQKBwC43/ZTO7s8YxGvq0aS63PnqJeda05Vfh32bT1BTFGaMZ3utzXfR\n\
ZH+WLjVoiEBoGAHhGayKDKW/wnGW9H6ABXRWl7q0guAA5k08V/GeUYcZQbQwCbfZ\n\
f6CMSYLAvvCK9MfCIakFpyP3kxQFuYOGp/1zC3am8oQkrmbg+b0ML+KpNheADSmU\n\
A6IL6k5M6FT0tOGq89X6dVxi/cKYw+yyYHPZUcYLqjMmHL9diyRnRdaPshQ/2RwZ\n\
87UHSal6AXPFMwKBwQCoRTXaUTyivsxqu9rNQ2MCsy+rQmj5OW8nndxSCfGhvkAT\n\
7NKGGhM003MrhEkCub6rnm9SJc57thDb/5MAD/8SmUTCnjW8rOEj62qVbL6qm+0J\n\
Yj2W4N8Sv+jXQWAhgqU9//wcXz7FzGvUzPyPLTJ6NF3D+6BzHTS3cjXMiMdG8nig\n\
gOgAECbtd+uWE0//a7uxLQ/lb+VBB2ClmKQyUANz5IHXZ2iiYDb5kOzLBYoK7svn\n\
Qp3I0jg+I3rLAdq+neECgcAKjgF5JRgxAHJZXG8Uj494zZDcCwODVaIZdRsaZgs+\n\
Ymhv6OC7WWHsYCqLR7wvV07Vi3Y5oTFoMj30w1rNWI+nOHJK3r2/F0G2rFnA89MG\n\
wTBHeOtUkINme/IyJLeJ152PriTC5jo8HRq7B+kbdM63Hz1Ad6g2dbs1DhCPYerr\n\
v6wEj831WpTv9zl/kPA/0zh0JrNHDGqzmfpHMAlXfs+oNSZg53kBGDLnXr5qIZ7S\n\
XlaaHUxgGobzJ2LJShIgy3Y=\n\
-----END PRIVATE KEY-----\n\
",
    "-----BEGIN PRIVATE KEY-----\n\
MIIG/AIBADANBgkqhkiG9w0BAQEFAASCBuYwggbiAgEAAoIBgQCqHbsGd2fJGqMQ\n\
T2m+35uCAlKO6D7qE1HNfNeTqwizhayKd7AfSjuaEkXfAY8zW/eUOJV+igt91dT/\n\
vl/R4dFwYuIbcaY1iOJxUYF/vBqFs321LiAW92qDPhr9Dlj7aAQoveDTshfLH1Uf\n\
DX4LvspSAO4icT+PQaRHdVoD0/rP+AABnSwzo6YH9z58oTsoNST8glKNwLLGXC8l\n\
jxQphhQ0SygrXfiq8ZxeeIGJqjIEU2sONLupaq324naSWod/X8mOlrqCPo0HfAMm\n\
gpI6C+bsWkUDVT8nJji/msk1qCik1wLzf+hg6OVFy1zccIQ9jlHVgumaFNZZO1++\n\
XDY/hKSBs6vN7possIwUh98nhO/3VsMQ8r6TQynVhfCpFmylHNWDWe589jxbaaU2\n\
34suSEZVMDu8AwOT2NprNBdRqyr2zEOLSpqbsObRAh8tF7uH3aMytYWvz2306zy8\n\
erM4L1aP+vCWsebGHNukfl+yFibevggGTtxUKw70uz2Ud8jPmm8CAwEAAQKCAYAJ\n\
ytlTt3bhdCeTzkZzhtKgSrru3/6TIdaRIhEUvoErOFQkylv4iSDiLxAXlLLmDXK0\n\
dQdh99dOgIsYx6AjaEDSm9aRJtse9Mi4Ji1yqWTLcngXgFa3i7l1YZNTIsrLegLX\n\
R4rUFMna1uxi87dgPLTPwJ70m5lBiVFIDcDHPKIQ66EwdpgvRsnNZpWRvgQ2Pczp\n\
viS7ZS7FTVQncNODymSKWBMxX+DrEipio8QtJP9pEVY1xKJSz8HA1utlZFGtatmK\n\
yqA4JGmq4s9bPWr3Tg5rlHzvgmUPs7IxP0PCGWUHIphn/s/rXmvxR4N6gGvLWkb1\n\
Adeq2mSWJTRw8Jr2BhjiTOftbi93Kk/fSl0jerSvwPBR6EpNk7p93pGB5O7bNlvc\n\
w4OaLu3f9y4WLfiMqLFO8hg+jwYuUguxJiSCr/PNheS65d3jIfDdF7nTjk8FwL15\n\
0McAvgrXqrKq7N8OUz2KCGEQCbnBeHTaBgB/wZ2Rd+W3zaGHn1QEuRKIPhuEtQEC\n\
gcEA3ZKA0tT18ZzSRE6W46KbOFORk930HIf7sIvR3h91+gMAL8iArDunmr0DicHl\n\
vPgUuQVAFf0RTe/UDFghgNz8V6ppO76b8I4031xqJY/04mAkYIq+XZJowo6li26D\n\
sYP/3PhKYzvvKJ5OtM60f8KXhDyfn5Zmt4WeHnW4lclJzrL7E/o46TC9t6pmjom3\n\
L8gwELjMKHor97iBoXyUVisIi9v8eNltF/wYfWvk486tLu+YOhPuMv/DYNbuOI2G\n\
mMsBAoHBAMSMc9tGUO6vO1ShJ1z9/psGsyoF9oQRtWlZNEFMs5TVVMzuNRquK3fb\n\
6Wvuwp5wsP78T2KiTxoI5trUjVsz7cLWC2mQ3p9cHtfqLle1P9w5bC2ZfXQVytbW\n\
oJ8Rahy9PHLiad0X14mD2CnG0n/i49966KVqFe67zmNaIXfjvw8URzmOJfsfOTae\n\
MuIQ2EPgtRajMkiGp1tiadXXVxdVk2JIEembr+upguQa0yzeGfcYW2RzBwRN9j2r\n\
j+fvBmiVbwKBwClioN9AWcPMR9XsW/CewaFOsqVM0ri1iYRbSVLUy4NsJg/Gwonp\n\
BpA3d762UcPvDmfUnDi/MQk+n3vCxlc8b4GsWcWH/7Z5yVRi/YyQi+vwizrhD1eI\n\
7jpQzIjzlnOEtTi/w50vZ6dNkmPhLAOlBAn2DNaREBR9R6Bm2phXpYqPEaiUlyav\n\
LPBuSoObI3UwThIBgliZITc+5i+Uhlxl403ERC8KZX8SXjym93S5eM2IgQVwDZDH\n\
BuZCnvI/NQG7AQKBwEU6HxhtdNYM3D3boQys3X9m5bX4cbJktlvLso8JX/sdBIhF\n\
omiqTd8ikt2UM/IwSPcWkTNxbaEC36TV1o/4A1drootlHjRM8wQjlH0J9tsvUn3h\n\
IQHBJzdyUxKTxKcos+DXBGh+HElwKbPVNpEarh4poUWZzu3OMkxmE4Gxsrqx7sBD\n\
4/bGMZWeNNfRDQsjW0UE6BIJc2rJh/NsrF0opAeq0LxSPK0pgFOtaxHTjJuudYo0\n\
xZTrjL597erIEp7FewKBwDYKc/Ly5G5lf8RDPg2UgZEuptD1k2ceusVqOsMIXvUs\n\
P0wjjUm9e5V6XDYxoFBbW/ZHUKO5W5QY7yFLoDy0G4hSPbF8AB87ImyLqSM4it7D\n\
Z1ipgaluFeA0VZFzDDLY1xYD0RYhEYM6NfJC3cAR9Ph8zEGq2C00NuZNIvCsSghw\n\
vwnf4rTJWtJ18Bde6Zd//0fblDu+wv5aklCNuNJvcbzJf1xlv+1mAKcufBc3yoGR\n\
q3zbTNXs+mbZ+3wgUj0sfQ==\n\
-----END PRIVATE KEY-----\n\
",
    "-----BEGIN PRIVATE KEY-----\n\
MIIG/gIBADANBgkqhkiG9w0BAQEFAASCBugwggbkAgEAAoIBgQCk/oHeMGcAFPqG\n\
Yov/g8ozG9i6NS/cE69TJUy9Bf6UbK7dKdDKU+Uwc3hkvu51EJuthNAV5BoIKHlj\n\
HbYBgo6dISKtzuo83Tr2uLjOWkrMuLnayD1z4b22m1CT7CwtrStCTESt1OPwPOOa\n\
IXeDOQS4KX/PqC/bK0EoEiRee3v+vJyE8fLy1nBm0xuUtXqtZ8K/vEEqw++F4JOA\n\
L+yTqrirUkQD3Vxgk5cYcYqzroTATH972dwsRT6bL9DCTHPeErmJtKwbf0mnq1j7\n\
xa6K4FMUZ8vQF3/sXqphz6bLgSUyXFaDwdTdsgmyMhdvhqq7DdrihOSH5l9kFY9M\n\
FFOX2JkigMJtiS2p86POtKX4tovDQVsEFagzcosp1bAA4bOvi14FQf3ikbK2+WWe\n\
s7BdjVVqvyC+VBqr3MrNISMVziG0Pc4bGu6/ynkn8WJfXwF8VsAXeKQSQ1viRSyr\n\
F9E/RSG7c8xMEx7XEWsoJ35oSEmND1P/Q8P3Nqvz6jDSvoE5uy8CAwEAAQKCAYAE\n\
dl+zzzJR9b9K2Cp6KCnVVQj5DEw1kxC4WndnW1ylzgSytZlQh5FYzJ6ydtmDMAZN\n\
3Jw2I1uy4clarWiJROsvg8Bo3AJI0CDyoE9bQWTpgYuBR84lrrLPWAcHYSlWuOrF\n\
GcP3wZzCmBr9xa7yTR38Dx9GUgGtV0+lUkxKg+N4IcjH7bVI7RTQKyCBVqExRG+n\n\
eON4USFOySKkImevHLxu4cQ2KIwBjqxU/Gkob+1mOAtwoZVLWzoUv2fRgXjWxkHU\n\
Ol6pEfkt+jTpFGg7RdtwEzP6dYapWy0lUVFyTuBCe0pXLVmyxtXyLBR6THTYZ/9y\n\
Rx/Qq2KIhIAajiwcnI4F6mn9lEdDvNkxnxPdsibq12M9PgGvWwA3a8vMojPuanFa\n\
U/qkmdj8Er/+rlq6Z1B4MGotKb1wHVvB1yPjUxxgEg9MHZ2kZ+Yl/Eyx72UUT66J\n\
LWe7fTobWTqV8P+ttU0IZoXM+2u3/ljQPLptmo2hUqu5v+goN1DayRJ2Y0PDtdEC\n\
gcEA3UoZmtUjw/u9zvd+1VBfHCpNg0X8PZ2cx3BJBzXw52DzZoZSuogVUb2Gz8EC\n\
bHZzYgBlsC63CqaJVymV9mr2ZSbjhdqX/Cnngm71tBOgS5Jvv4vK0NJQhQyDbBkQ\n\
2hs6MxaROcc770TQG/Wh93zRQG7MxWpp8JDC2H9izxbXgmrUh3Yq/dKHfwutQPJ0\n\
zM5MB0Tdt4DUUJM4JpEyYj7xuGQHtZuoCzGcekd7FywlBlxsV3XEQqgNsnP9sxPe\n\
GIKxAoHBAL7f3VNLcFl76rbC4D9VpUQLg2dkhoQZTICrXq/0dwogUHzRFRNFlJ6O\n\
UuX5V5dVfm0nZdBlFliP731vOuGszcigJhv/obyA4ZCeuw+OZQFaILAHvrbNEFZb\n\
9EOdTE3D8SjZ5gpIGspX7FKGZF5nVheOBL3s/2TiwtFVda8Q4QY3TL4LxwET9JCk\n\
Cd1Yi0ipejjLlR6cdW6x5HYkm7pvuuxg1eskY3SOvQv24Yt2O4IbGm8GaWjO4PeY\n\
06l9sqjT3wKBwQCa6OKfxxEwgyxOlGdPgOHz35E/kmCP6aP04Z/d0l8AOphpbyK+\n\
vcDe5eRXz2+Y6hq/wjNtcGZmqEqAn/YA+MPf76da7rlypwsP/gk2tH6EKNDdsEic\n\
gn4nhakCpVFsvZ6yYNvtLJHCX9Onnv5xOAlsJ6Rllqbu5wffct2CxyS6gXqiEZDq\n\
+tQrlcsFKjWloc0LUaQ8b40xkr2+EerJZ/Li9/OFqJ+spmA6IYwDnr2UhGK7nw9y\n\
8h4UjKpPEFtroSECgcAq/PAz2kGrZaUvFCS9HuThtlYZ6yIAjlIUiIQCzOQie7Sk\n\
59H/TSRzsUoqUUXQ54hZvQ3JKXsm5wPhFDQGr4yJKshqdeBPPBeRIq6uijtlWo8S\n\
Fix1rymGyZ7xu3N78C1YLfsJRcQC3lpzG6FvQYa6N1oKDF5Ysll+G+ktTHfhloLK\n\
KozfSUdDbC5sk4yLCOBl+jPTeRlZnOb/VK9eBdvrcMO8+a0Mizk4gJm7dx1f6ArE\n\
BoWm/TDdkqXY/l5Gd7ECgcEAjnowy0ixahx2XvQvhMVoJ/d9pz59B2Gvba0pS1+U\n\
plbqDHOyHHgCf9nM0gMMM0aF22yyzvhCLfta01b5wGFFBxEMfXukNcKPlt4XKXtW\n\
8g0vg3bwJe99r2s1p8pbkfAZ0wTQR2SISPusqfipXg/B6GNF/U8Fwc3GMdTcG6Bz\n\
Kpvc3z3d0WUbBAr2CDIQdBfLco6HW+fvYpsyb90C2jOYVCsiXN9K4FHQJwfGuZYD\n\
MZlHGNAl1HRLR8lSFYKF51Pz\n\
-----END PRIVATE KEY-----\n\
",
];

const SEC1_P256: &str = "-----BEGIN EC PRIVATE KEY-----\n\
MHcCAQEEINtTJS1XbDcTX3AeZFFL8+6ubEpFGXcaOhw8XA1Sz3YpoAoGCCqGSM49\n\
AwEHoUQDQgAERpcSGjh5u/5aBs9TIzXVo70eoYY9IM9VC745/n2e2u+yLVVdBxBo\n\
OI7F9ac/dCELPz6RDNn/27nzm3Buw0bvxg==\n\
-----END EC PRIVATE KEY-----\n\
";

const SEC1_P256_CERT: &str = "-----BEGIN CERTIFICATE-----\n\
MIIBkjCCATmgAwIBAgIUfG9dpSXGsL/V3NvbxMCaHZm1TFUwCgYIKoZIzj0EAwIw\n\
FzEVMBMGA1UEAwwMc2VjMSBmaXh0dXJlMCAXDTI2MTEyNzIwNDE0N1oYDzIxMjYx\n\
MTAzMjA0MTQ3WjAXMRUwEwYDVQQDDAxzZWMxIGZpeHR1cmUwWTATBgcqhkjOPQIB\n\
BggqhkjOPQMBBwNCAARGlxIaOHm7/loGz1MjNdWjvR6hhj0gz1ULvjn+fZ7a77It\n\
VV0HEGg4jsX1pz90IQs/PpEM2f/bufObcG7DRu/Go2EwXzAMBgNVHRMBAf8EAjAA\n\
MBMGA1UdJQQMMAoGCCsGAQUFBwMBMBsGA1UdEQQUMBKCEGxlYWYuZXhhbXBsZS5j\n\
b20wHQYDVR0OBBYEFCbKqsIK5KMG46r6rMlhyKXI3h62MAoGCCqGSM49BAMCA0cA\n\
MEQCIEj/ukD+ioqaPxakh3S/v9sETMtCHpkJs41Y7FBpIJ07AiAZxOo7+S5URUeR\n\
O8hBHlFUNyyqAVaJuQs9fzX0NietJQ==\n\
-----END CERTIFICATE-----\n\
";

const PSS_SALT_DIGEST: &str = "-----BEGIN CERTIFICATE-----\n\
MIIDYzCCAhegAwIBAgIJAMmJ6+Lth+UNMEEGCSqGSIb3DQEBCjA0oA8wDQYJYIZI\n\
AWUDBAIBBQChHDAaBgkqhkiG9w0BAQgwDQYJYIZIAWUDBAIBBQCiAwIBIDAbMRkw\n\
FwYDVQQDDBBQU1MgUm9vdCBzYWx0IDMyMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEw\n\
MTAwMDAwMFowGzEZMBcGA1UEAwwQUFNTIFJvb3Qgc2FsdCAzMjCCASIwDQYJKoZI\n\
hvcNAQEBBQADggEPADCCAQoCggEBAJr4F3VogBz6ArpLyRGE5/hQHpoJJzJBWs/H\n\
P6Kk7Bni8uqVtbC4uG8XSDfQ9shmLFTl7ZfIETX10czVGaurY4bZI+XZQMoCRirB\n\
5CcK2jOyV27EFyVLWy1aJQQHx/DPtrveTsnHY/Jev4elZ24zbX+AqpzNX71lBtrt\n\
HattUc8UfLiuUJG0q7Q7hR403zhWERX1QBEHdUeaEQdLE489L0SIaUC5VXEFjaZD\n\
BUIT48ZDVqDB2DKe3N2Ll1s5jW0WigdkkYI5jFu/k5jXAYXqvBEFiE1l6Uluz/b6\n\
oniFLLnXhqjTiNKbFp03P45i8mkXrclLfDoriHoc9Nw+F8f0rE0CAwEAAaNCMEAw\n\
DwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFJ2fx1eP\n\
MGHVKsakaJZVUuhsgqgkMEEGCSqGSIb3DQEBCjA0oA8wDQYJYIZIAWUDBAIBBQCh\n\
HDAaBgkqhkiG9w0BAQgwDQYJYIZIAWUDBAIBBQCiAwIBIAOCAQEALDX+3N1FV5aX\n\
9H6EPDG9mqWLUIdT0i5YKvvJt6wd+vKOce7OATACZFQ6z+6UteKJ9Q7LwE+WWMtB\n\
56brf7UdLsxQzmed+Xx/8DMiLCpNOjh1R4Zdarm+m57EliPQaPdmUWVUwgI/iopA\n\
7G1Lk4aEGtgBY+i7nH2h83pIu38XwbIx/R4edtW89xA0DAHjNanx/n1Z3BZlKYBU\n\
jFLOTBJOqn7IQuzJ5IGiOG9Xs7oZab3dSxoPKfZluNWTHtdZ5xvLV6NfXVtETr8M\n\
H1rh1jMe8XGjJOOMCgvdqD19waLMQwgjwsZEC3anG/NUjjsud97eOowpNBcpynHm\n\
Ii9NfWZmpg==\n\
-----END CERTIFICATE-----\n\
";

const PSS_SALT_MAX: &str = "-----BEGIN CERTIFICATE-----\n\
MIIDZjCCAhmgAwIBAgIIMJXtx9wlcA8wQgYJKoZIhvcNAQEKMDWgDzANBglghkgB\n\
ZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIEAgIA3jAcMRow\n\
GAYDVQQDDBFQU1MgUm9vdCBzYWx0IG1heDAeFw0yNTAxMDEwMDAwMDBaFw0zNTAx\n\
MDEwMDAwMDBaMBwxGjAYBgNVBAMMEVBTUyBSb290IHNhbHQgbWF4MIIBIjANBgkq\n\
hkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmvgXdWiAHPoCukvJEYTn+FAemgknMkFa\n\
z8c/oqTsGeLy6pW1sLi4bxdIN9D2yGYsVOXtl8gRNfXRzNUZq6tjhtkj5dlAygJG\n\
KsHkJwraM7JXbsQXJUtbLVolBAfH8M+2u95Oycdj8l6/h6VnbjNtf4CqnM1fvWUG\n\
2u0dq21RzxR8uK5QkbSrtDuFHjTfOFYRFfVAEQd1R5oRB0sTjz0vRIhpQLlVcQWN\n\
pkMFQhPjxkNWoMHYMp7c3YuXWzmNbRaKB2SRgjmMW7+TmNcBheq8EQWITWXpSW7P\n\
9vqieIUsudeGqNOI0psWnTc/jmLyaRetyUt8OiuIehz03D4Xx/SsTQIDAQABo0Iw\n\
QDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUnZ/H\n\
V48wYdUqxqRollVS6GyCqCQwQgYJKoZIhvcNAQEKMDWgDzANBglghkgBZQMEAgEF\n\
AKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIEAgIA3gOCAQEAOw1t7SiA\n\
xklf3yCZSUVSHcYP2GqQF+R1CBSDLChevPpKcPEu0I+/hoDSUKLId+F9VHd91GHp\n\
xY51AwO6wemzi2UTGly+G1UMxTN3jygHRCO7Huk8to8ZweE3+cJOD3EFUgM7bRx3\n\
ebqlCTxfgVHEdxgHy1klBIyCLjZ322jefYVATGgTt2GxnYPpwjpSNg5d280Eq7Ku\n\
EkcoguF6vL1Dj9fWL4cSmFjrwSeDjIW6VJGjrAzSj3R1dnYhk81UmzH4UTLNaYr9\n\
q/3L5viTzD1hVEtIJWqui1RhWjIC7HQ4OnOF2M1lwfoVw0vu3r9p69YqDtZxkbO7\n\
sBL9Cq81eGnFvQ==\n\
-----END CERTIFICATE-----\n\
";

const PSS_SALT_MAX_LEAF: &str = "-----BEGIN CERTIFICATE-----\n\
MIIDuTCCAmygAwIBAgIIbOw+TtvSzzEwQgYJKoZIhvcNAQEKMDWgDzANBglghkgB\n\
ZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIEAgIA3jAcMRow\n\
GAYDVQQDDBFQU1MgUm9vdCBzYWx0IG1heDAeFw0yNjA2MDEwMDAwMDBaFw0yNzA2\n\
MDEwMDAwMDBaMBwxGjAYBgNVBAMMEWthZmthLmV4YW1wbGUuY29tMIIBIjANBgkq\n\
hkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsi+hYEq8AG1okgNrpq6aWSUqT93qbrhO\n\
txjIPsMpQ3nRV5YMoqlafAj19h/viXFCYG1afgRJnS5D6DzYPDYvmL9B3dIh3pee\n\
6JKALruCG8lZwpuaF4LeIFG/LUqI+QRORRkEYEQRdxtpCpTuS+7/K2DfUxj4CA5a\n\
0VARYu+n7GbLQXZ+zC2uYD53lJ/JgijdTRjctvXjKNdrhu8a8ggWa9IxFkB0uMr5\n\
mb5Wa4eOhOTENNA3IlUKygKPepCDUJKdKjzk7q7/ESD7wRMftCaIG0FevIyxut9y\n\
9nWLGcSWzQvau+i+l0dp19kEv7SS3FqdPmndTqKHDNT1ZTQTmRo+zwIDAQABo4GU\n\
MIGRMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsG\n\
AQUFBwMBMBwGA1UdEQQVMBOCEWthZmthLmV4YW1wbGUuY29tMB0GA1UdDgQWBBRw\n\
Bk6cBaZuaoFXFRyxFjm1/gnTWjAfBgNVHSMEGDAWgBSdn8dXjzBh1SrGpGiWVVLo\n\
bIKoJDBCBgkqhkiG9w0BAQowNaAPMA0GCWCGSAFlAwQCAQUAoRwwGgYJKoZIhvcN\n\
AQEIMA0GCWCGSAFlAwQCAQUAogQCAgDeA4IBAQCKG9Zar6WTRm0KgoweTs2eeNui\n\
3Mh4K2vJ64V57oCsfeWG4XbBm7a3xkLwMZcp3ZKwYn0hXYOODu6tErnAjiaQe6jC\n\
2FFr49Ds/7fvnjYMq4D/+Sa0f9F0zoj1tB3u6vwJsi5yrr6RTneEs8s13LcTue6w\n\
edNH0cwG4Got1kle0kniY0SV8UpwzRwCl/2AVTKRmFJc2j+syr/sELU+o6rhtsES\n\
Dp5OqCq9seL1hJGT5aG0zfv/xYVgtAgNs30wjcxOo731PR/gavXK1T8QWkhCBE/1\n\
W4bVTKsiico9oq1oNGuvQYB0hwaJi8f0/cjAboka4CD0mYTfwhPzVFrvUq6e\n\
-----END CERTIFICATE-----\n\
";

const PSS_MGF1_SHA1: &str = "-----BEGIN CERTIFICATE-----\n\
MIIDLDCCAf6gAwIBAgIIAyFkQiu6v3gwIwYJKoZIhvcNAQEKMBagDzANBglghkgB\n\
ZQMEAgEFAKIDAgEgMB4xHDAaBgNVBAMME1BTUyBSb290IE1HRjEgU0hBLTEwHhcN\n\
MjUwMTAxMDAwMDAwWhcNMzUwMTAxMDAwMDAwWjAeMRwwGgYDVQQDDBNQU1MgUm9v\n\
dCBNR0YxIFNIQS0xMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmvgX\n\
dWiAHPoCukvJEYTn+FAemgknMkFaz8c/oqTsGeLy6pW1sLi4bxdIN9D2yGYsVOXt\n\
l8gRNfXRzNUZq6tjhtkj5dlAygJGKsHkJwraM7JXbsQXJUtbLVolBAfH8M+2u95O\n\
ycdj8l6/h6VnbjNtf4CqnM1fvWUG2u0dq21RzxR8uK5QkbSrtDuFHjTfOFYRFfVA\n\
EQd1R5oRB0sTjz0vRIhpQLlVcQWNpkMFQhPjxkNWoMHYMp7c3YuXWzmNbRaKB2SR\n\
gjmMW7+TmNcBheq8EQWITWXpSW7P9vqieIUsudeGqNOI0psWnTc/jmLyaRetyUt8\n\
OiuIehz03D4Xx/SsTQIDAQABo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB\n\
/wQEAwIBBjAdBgNVHQ4EFgQUnZ/HV48wYdUqxqRollVS6GyCqCQwIwYJKoZIhvcN\n\
AQEKMBagDzANBglghkgBZQMEAgEFAKIDAgEgA4IBAQABtRSQp68DuQVJJsUCem7X\n\
O8TT/29zFrNRxd0+Yhe6bY5tR7ThTo+gd4WfSjR+HGMaHLjqoR9AzSQID94jnmS5\n\
q6AsPXpq/7A2sNJyb1VlCnw+l97kmFwm6x6OD7LaIzv6DL+LFv82/CKiLW12pTvf\n\
JYd4iA1op78RbvcQuec+iqjQNAEvj9tqmTlAJNRP1A+TGvPDkIO3TuVxouEnbJkV\n\
yZSYXHU5wv4bYIbx7dTsdCmziRnRDyN2xtrQsIq1Cmj4noS/Ml7jmOhzkiVCzBnL\n\
qiQZa+1XGf7bGmuRtF6zXVK1FGjorpJLw6pt5aayh24Ny69D+SJ1JuJt9yWQ8kEr\n\
-----END CERTIFICATE-----\n\
";
