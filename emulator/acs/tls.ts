import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

import forge from 'node-forge';

/**
 * A private CA plus a server certificate for 127.0.0.1, ::1 and localhost, generated with node-forge
 * (keys come from node's crypto, which is much faster than forge's JS RSA). Kept in `dir` and reused
 * on later starts; the server certificate is re-issued when it is close to expiry.
 */

export interface TlsMaterial {
  caCertPem: string;
  caCertPath: string;
  caBundlePath: string;
  serverCertPem: string;
  serverKeyPem: string;
}

const FILES = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  cert: 'server.pem',
  key: 'server-key.pem',
  bundle: 'ca-bundle.pem',
};
const DAY = 86_400_000;

function newRsaKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; privatePem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privatePem);
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), privatePem };
}

function baseCert(publicKey: forge.pki.PublicKey, validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + validDays * DAY);
  return cert;
}

function createCa(): { certPem: string; keyPem: string } {
  const keys = newRsaKeys();
  const cert = baseCert(keys.publicKey, 3650);
  const subject = [
    { name: 'commonName', value: 'ACS Emulator Local CA' },
    { name: 'organizationName', value: 'acs-chat-backend dev tools' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function createServerCert(caCertPem: string, caKeyPem: string): { certPem: string; keyPem: string } {
  const caCert = forge.pki.certificateFromPem(caCertPem);
  const caKey = forge.pki.privateKeyFromPem(caKeyPem);
  const keys = newRsaKeys();
  const cert = baseCert(keys.publicKey, 397);
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function usable(certPem: string): boolean {
  try {
    return new Date(new X509Certificate(certPem).validTo).getTime() > Date.now() + 7 * DAY;
  } catch {
    return false;
  }
}

/** The system trust store (Debian's bundle when present, else node's built-in roots) followed by our CA. */
function bundle(caCertPem: string): string {
  const system = '/etc/ssl/certs/ca-certificates.crt';
  const roots = existsSync(system) ? readFileSync(system, 'utf8') : rootCertificates.join('\n');
  return `${roots.trimEnd()}\n${caCertPem}`;
}

export function loadOrCreateTls(dir: string): TlsMaterial {
  mkdirSync(dir, { recursive: true });
  const p = (f: string): string => join(dir, f);
  let caCertPem: string;
  let caKeyPem: string;
  if (existsSync(p(FILES.caCert)) && existsSync(p(FILES.caKey)) && usable(readFileSync(p(FILES.caCert), 'utf8'))) {
    caCertPem = readFileSync(p(FILES.caCert), 'utf8');
    caKeyPem = readFileSync(p(FILES.caKey), 'utf8');
  } else {
    ({ certPem: caCertPem, keyPem: caKeyPem } = createCa());
    writeFileSync(p(FILES.caKey), caKeyPem, { mode: 0o600 });
    writeFileSync(p(FILES.caCert), caCertPem);
    writeFileSync(p(FILES.cert), ''); // force a new server certificate under the new CA
  }
  let serverCertPem = existsSync(p(FILES.cert)) ? readFileSync(p(FILES.cert), 'utf8') : '';
  let serverKeyPem = existsSync(p(FILES.key)) ? readFileSync(p(FILES.key), 'utf8') : '';
  if (!serverKeyPem || !usable(serverCertPem)) {
    ({ certPem: serverCertPem, keyPem: serverKeyPem } = createServerCert(caCertPem, caKeyPem));
    writeFileSync(p(FILES.key), serverKeyPem, { mode: 0o600 });
    writeFileSync(p(FILES.cert), serverCertPem);
  }
  writeFileSync(p(FILES.bundle), bundle(caCertPem));
  return { caCertPem, caCertPath: p(FILES.caCert), caBundlePath: p(FILES.bundle), serverCertPem, serverKeyPem };
}
