"""C2PA manifests on exported evidence (c2pa-python, the Content Authenticity Initiative's own library).

The server signs what it verified about a photo (the capture attestation, every evidence check, the
task and the reviewer's decision) into a C2PA manifest embedded in the exported JPEG, so anyone can check
it later with standard C2PA tools (c2patool, the CAI verify site, any c2pa SDK) without asking us.

Signing identity: an ES256 (P-256) key and an X.509 chain. C2PA refuses self-signed signing
certificates, so the chain is a signer certificate (digitalSignature, EKU emailProtection, one of the
EKUs the C2PA trust model accepts) issued by a root. Production configures a chain from the bureau's CA
(OUTFALLWATCH_C2PA_CERT / OUTFALLWATCH_C2PA_KEY); the embedded default makes its own root once and keeps it
in the data directory, which verifiers must add as a trust anchor (docs/provenance.md).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ASSERTION = "cn.outfallwatch.verification"  # our assertion's label (reverse domain, as C2PA asks)
GENERATOR = {"name": "Outfall Watch", "version": "0.1.0"}
_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"


@dataclass(frozen=True)
class Identity:
    chain_pem: bytes  # signer certificate, then the root
    key_pem: bytes  # PKCS#8 private key of the signer
    root_pem: bytes  # the trust anchor verifiers configure


def make_identity(org: str = "Outfall Watch", *, days: int = 730) -> Identity:
    """A new root and signer (P-256, SHA-256)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(timezone.utc)

    def name(cn: str):
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def usage(**on):
        flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                     encipher_only=False, decipher_only=False)
        return x509.KeyUsage(**{**flags, **on})

    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (x509.CertificateBuilder().subject_name(name(f"{org} evidence root"))
            .issuer_name(name(f"{org} evidence root")).public_key(root_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days * 5))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name(f"{org} evidence signer")).issuer_name(root.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return Identity(chain_pem=leaf.public_bytes(pem) + root.public_bytes(pem),
                    key_pem=key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
                    root_pem=root.public_bytes(pem))


def load_identity(cert: Path, key: Path) -> Identity:
    chain = cert.read_bytes()
    blocks = [b for b in chain.split(b"-----END CERTIFICATE-----") if b.strip()]
    root = (blocks[-1] + b"-----END CERTIFICATE-----\n").lstrip() if blocks else b""
    return Identity(chain_pem=chain, key_pem=key.read_bytes(), root_pem=root)


def persisted_identity(directory: Path) -> Identity:
    """The embedded default: made once, kept beside the data (signer-chain.pem, signer-key.pem, root.pem)."""
    chain, key, root = directory / "signer-chain.pem", directory / "signer-key.pem", directory / "root.pem"
    if chain.exists() and key.exists() and root.exists():
        return Identity(chain.read_bytes(), key.read_bytes(), root.read_bytes())
    directory.mkdir(parents=True, exist_ok=True)
    ident = make_identity()
    key.write_bytes(ident.key_pem)
    key.chmod(0o600)
    chain.write_bytes(ident.chain_pem)
    root.write_bytes(ident.root_pem)
    return ident


def sign_jpeg(data: bytes, statement: dict, identity: Identity, *, title: str) -> bytes:
    """The JPEG with a C2PA manifest carrying `statement` as our assertion, signed by `identity`."""
    import c2pa

    manifest = {
        "claim_generator_info": [GENERATOR],
        "title": title,
        "format": "image/jpeg",
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": _CAPTURE,
                 "softwareAgent": GENERATOR, "description": "Evidence photo as received and verified by the server"},
                {"action": "c2pa.published", "softwareAgent": GENERATOR},
            ]}},
            {"label": ASSERTION, "data": statement},
        ],
    }
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, identity.chain_pem,
                                                       identity.key_pem, None))
    try:
        with c2pa.Builder.from_json(json.dumps(manifest, ensure_ascii=False)) as builder:
            out = io.BytesIO()
            builder.sign(signer, "image/jpeg", io.BytesIO(data), out)
            return out.getvalue()
    finally:
        signer.close()


@dataclass(frozen=True)
class ReadBack:
    state: str  # Trusted | Valid | Invalid (c2pa's validation state)
    statement: dict | None  # our assertion
    failures: list[dict]


def read(data: bytes, *, trust_anchor_pem: bytes | None = None, mime: str = "image/jpeg") -> ReadBack:
    """Read and validate a manifest with the C2PA library; with our root as trust anchor if given."""
    import c2pa

    ctx = None
    if trust_anchor_pem:
        ctx = c2pa.Context(c2pa.Settings.from_json(json.dumps({"trust": {"trust_anchors": trust_anchor_pem.decode()}})))
    reader = c2pa.Reader(mime, io.BytesIO(data), context=ctx) if ctx is not None else c2pa.Reader(mime, io.BytesIO(data))
    with reader:
        report = json.loads(reader.json())
        state = reader.get_validation_state() or ""
    active = report.get("manifests", {}).get(report.get("active_manifest"), {})
    stmt = next((a["data"] for a in active.get("assertions", []) if a.get("label") == ASSERTION), None)
    res = report.get("validation_results", {}).get("activeManifest", {})
    return ReadBack(state, stmt, list(res.get("failure", [])))
