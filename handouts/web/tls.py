"""HTTPS for a front desk that other computers reach: the clinic's own certificate, or one made for it.

Over the clinic network the sign-in password, the API token and the session
cookie would otherwise travel in clear text. A clinic with a certificate of
its own names it (--certificate, --key); otherwise handouts makes one on
first use, kept in the clinic folder (handouts-tls/, the key readable by its
owner only) and used again each time, so staff computers trust it once.
Its SHA-256 fingerprint is printed, to check it in a browser.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from ..errors import HandoutsError
from ..folder import TLS

VALID_DAYS = 825  # the longest browsers accept for a server certificate they are told to trust


@dataclass(frozen=True)
class Certificate:
    certificate: Path
    key: Path
    made_now: bool = False

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate, as browsers show it (AB:CD:...)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        try:
            loaded = x509.load_pem_x509_certificate(self.certificate.read_bytes())
        except (OSError, ValueError) as exc:
            raise HandoutsError(f"{self.certificate}: not a PEM certificate ({exc}); give the clinic's "
                                "certificate with --certificate, in PEM form") from None
        return ":".join(f"{byte:02X}" for byte in loaded.fingerprint(hashes.SHA256()))


def host_names(host: str) -> tuple[str, ...]:
    """The names and addresses this computer answers to on the clinic network, its own name first."""
    names = [socket.gethostname(), socket.getfqdn(), "localhost", "127.0.0.1", "::1"]
    if host not in ("0.0.0.0", "::", ""):
        names.append(host)
    try:
        names += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    except OSError:  # a computer whose own name does not resolve: it is reached by address
        pass
    return tuple(dict.fromkeys(name.lower() for name in names if name))


def clinic_certificate(folder: Path, names: tuple[str, ...]) -> Certificate:
    """The certificate handouts made for this clinic folder, made now if there is none yet."""
    where = folder / TLS
    certificate, key = where / "certificate.pem", where / "key.pem"
    if certificate.exists() and key.exists():
        return Certificate(certificate, key)
    try:
        where.mkdir(mode=0o700, exist_ok=True)
        pem_certificate, pem_key = _self_signed(names)
        _write_private(key, pem_key)
        _write_private(certificate, pem_certificate)
    except OSError as exc:
        raise HandoutsError(f"cannot write the front desk's certificate in {where}: {exc.strerror or exc}; "
                            "make the clinic folder writable, or give one with --certificate and --key") from None
    return Certificate(certificate, key, made_now=True)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _self_signed(names: tuple[str, ...]) -> tuple[bytes, bytes]:
    """A certificate and its private key (PEM) for `names`, the first being its subject."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "handouts front desk")])
    alternative: list[x509.GeneralName] = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    # Real time, not the leaflets' "today" (clock.py): a certificate must be valid for the browsers now.
    now = dt.datetime.now(dt.timezone.utc)
    built = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
             .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
             .sign(key, hashes.SHA256()))
    return (built.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))
