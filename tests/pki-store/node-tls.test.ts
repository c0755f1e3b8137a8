// @node-only — TLS on the Node host (hosts/sim/crypto/tls.ts) over loopback: the -2 profile
// (TLS 1.2, ECDHE-ECDSA-AES128-SHA256, P-256, server authentication) and the -20 profile
// (TLS 1.3 only, mutual authentication, AES-256-GCM / ChaCha20-Poly1305, secp521r1 / x448,
// P-521 or Ed448 leaves), between our endpoints and against `openssl s_client` / `s_server`;
// what lies outside the profiles is refused.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { credentials, nodeCrypto, pki, PKI_NOW } from "../support/node-test-pki";
import { clientHelloOffersTls13, NodeTlsListener, NodeTlsSocket } from "../../hosts/sim/crypto/tls";
import { createTestPki, type TestPkiProfile } from "../../hosts/sim/pki/test-pki";
import { writeTestPki } from "../../hosts/sim/pki/files";
import { MemoryPkiStorage, PkiStore, type TlsSecureOptions, type TlsSocket } from "../../modules/pki-store/index";

const crypto = nodeCrypto;
const NOW = PKI_NOW;
const opensslSkip = spawnSync("openssl", ["version"]).status === 0 ? false : "the openssl command is not installed";

const root = (profile: TestPkiProfile, name: string) => pki(profile).get(name)!.der;

interface Connected {
  client: TlsSocket;
  server: TlsSocket;
  listener: NodeTlsListener;
}

/** Listener and client; resolves when both sides can write, rejects when the client fails. */
function connect(serverSecure: TlsSecureOptions, clientSecure: TlsSecureOptions, onServerReadable?: () => void): Promise<Connected> {
  return new Promise((resolve, reject) => {
    let server: TlsSocket | undefined;
    let client: TlsSocket | undefined;
    let clientReady = false;
    let serverReady = false;
    const done = () => {
      if (clientReady && serverReady) resolve({ client: client!, server: server!, listener });
    };
    const listener = new NodeTlsListener({
      address: "::1",
      port: 0,
      secure: serverSecure,
      onReadable: () => {
        server = listener.read({ onWritable: () => ((serverReady = true), done()), onReadable: onServerReadable });
      },
    });
    listener.ready.then(() => {
      client = new NodeTlsSocket({
        address: "::1",
        port: listener.port,
        secure: clientSecure,
        onWritable: () => ((clientReady = true), done()),
        onError: (error) => {
          listener.close();
          reject(error);
        },
      });
    });
  });
}

/** Sends `text` from one side and resolves with what the other side reads. */
function exchange(from: TlsSocket, to: TlsSocket, onReadable: (handler: () => void) => void, text: string): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    onReadable(() => {
      const data = to.read();
      if (data) got += Buffer.from(data).toString();
      if (got.length >= text.length) resolve(got);
    });
    from.write(Buffer.from(text));
  });
}

test("ISO 15118-2 profile over loopback: TLS 1.2, ECDHE-ECDSA-AES128-SHA256 on P-256, no client certificate", async () => {
  const keyLog: string[] = [];
  let serverReadable: () => void = () => {};
  const server = { profile: "iso2", credentials: [credentials("iso2", "secc")], trustAnchors: [], onKeyLog: (l: string) => keyLog.push(l) } as TlsSecureOptions;
  const { client, server: accepted, listener } = await connect(server, { profile: "iso2", trustAnchors: [root("iso2", "v2g-root")] }, () => serverReadable());
  try {
    assert.equal(client.session!.protocol, "TLSv1.2");
    assert.equal(client.session!.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
    assert.equal(client.session!.group, "prime256v1");
    assert.equal(accepted.session!.peerChain.length, 0, "the -2 EVCC presents no certificate");
    // The vehicle checks the V2G profile on the chain OpenSSL verified: DC=CPO under the V2G root.
    const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => NOW });
    store.addTrustAnchor("v2g", root("iso2", "v2g-root"));
    assert.ok(store.validate(client.session!.peerChain, "secc").ok);
    const got = await exchange(client, accepted, (h) => (serverReadable = h), "SessionSetupReq");
    assert.equal(got, "SessionSetupReq");
    assert.ok(keyLog.some((l) => l.startsWith("CLIENT_RANDOM ")), "TLS 1.2 key log line for Wireshark");
  } finally {
    client.close();
    accepted.close();
    listener.close();
  }
});

for (const [profile, label] of [["iso20", "P-521"], ["iso20-ed448", "Ed448"]] as const) {
  test(`ISO 15118-20 profile over loopback with ${label} leaves: TLS 1.3, mutual authentication`, async () => {
    const { client, server, listener } = await connect(
      { profile: "iso20", credentials: [credentials(profile, "secc")], trustAnchors: [root(profile, "oem-root")] },
      { profile: "iso20", credentials: [credentials(profile, "oem-prov")], trustAnchors: [root(profile, "v2g-root")] },
    );
    try {
      assert.equal(client.session!.protocol, "TLSv1.3");
      assert.equal(client.session!.cipherSuite, "TLS_AES_256_GCM_SHA384");
      assert.match(client.session!.group ?? "", /^(secp521r1|X448)$/);
      assert.ok(server.session!.peerChain.length >= 1, "the SECC received the vehicle's certificate");
      assert.deepEqual(server.session!.peerChain[0], pki(profile).get("oem-prov")!.der);
    } finally {
      client.close();
      server.close();
      listener.close();
    }
  });
}

test("refused: -20 client without a certificate, a chain from an untrusted root, -2 server against a -20 client", async () => {
  assert.throws(() => new NodeTlsSocket({ address: "::1", port: 1, secure: { profile: "iso20", trustAnchors: [] } }), /mutually authenticated/);
  // The vehicle trusts another PKI's V2G root: handshake refused.
  const other = createTestPki({ crypto, profile: "iso2", now: NOW });
  await assert.rejects(connect({ profile: "iso2", credentials: [credentials("iso2", "secc")], trustAnchors: [] }, { profile: "iso2", trustAnchors: [other.get("v2g-root")!.der] }));
  // A TLS 1.2 (-2) server and a TLS 1.3-only (-20) client share no version.
  await assert.rejects(
    connect({ profile: "iso2", credentials: [credentials("iso2", "secc")], trustAnchors: [] }, { profile: "iso20", credentials: [credentials("iso20", "oem-prov")], trustAnchors: [root("iso20", "v2g-root")] }),
  );
});

function withPkiDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-tls-"));
  for (const profile of ["iso2", "iso20"] as const) writeTestPki(dir, profile, pki(profile));
  return run(dir).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

/** Runs openssl s_client against our listener; resolves with its exit status and output. */
function sClient(port: number, args: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("openssl", ["s_client", "-connect", `[::1]:${port}`, "-verify_return_error", ...args], { cwd });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.stdin.end("Q\n");
    child.on("close", (status) => resolve({ status, output }));
  });
}

test("openssl s_client completes the profiles' handshakes with our servers and fails outside them", { skip: opensslSkip }, async () => {
  await withPkiDir(async (dir) => {
    const iso2 = new NodeTlsListener({ address: "::1", port: 0, secure: { profile: "iso2", credentials: [credentials("iso2", "secc")], trustAnchors: [] }, onReadable: () => iso2.read({})?.close() });
    const iso20 = new NodeTlsListener({ address: "::1", port: 0, secure: { profile: "iso20", credentials: [credentials("iso20", "secc")], trustAnchors: [root("iso20", "oem-root")] }, onReadable: () => iso20.read({})?.close() });
    await Promise.all([iso2.ready, iso20.ready]);
    try {
      const ok2 = await sClient(iso2.port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256", "-CAfile", "iso2/v2g-root.pem"], dir);
      assert.equal(ok2.status, 0, ok2.output);
      assert.match(ok2.output, /Cipher is ECDHE-ECDSA-AES128-SHA256/);
      const wrongSuite = await sClient(iso2.port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384", "-CAfile", "iso2/v2g-root.pem"], dir);
      assert.notEqual(wrongSuite.status, 0, "a suite outside the -2 profile");
      const tls13 = await sClient(iso2.port, ["-tls1_3", "-CAfile", "iso2/v2g-root.pem"], dir);
      assert.notEqual(tls13.status, 0, "TLS 1.3 against the -2 server");

      const mutual = ["-cert", "iso20/oem-prov.pem", "-key", "iso20/oem-prov.key.pem", "-cert_chain", "iso20/oem-prov-chain.pem", "-CAfile", "iso20/v2g-root.pem"];
      for (const [suite, group] of [["TLS_AES_256_GCM_SHA384", "secp521r1"], ["TLS_CHACHA20_POLY1305_SHA256", "X448"]]) {
        const ok20 = await sClient(iso20.port, ["-tls1_3", "-ciphersuites", suite, "-groups", group, ...mutual], dir);
        assert.equal(ok20.status, 0, `${suite} ${group}: ${ok20.output}`);
        assert.match(ok20.output, new RegExp(`Cipher is ${suite}`));
      }
      const downgrade = await sClient(iso20.port, ["-tls1_2", ...mutual], dir);
      assert.notEqual(downgrade.status, 0, "-20 downgraded to TLS 1.2");
      const aes128 = await sClient(iso20.port, ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256", ...mutual], dir);
      assert.notEqual(aes128.status, 0, "a TLS 1.3 suite outside the -20 profile");
      const p256 = await sClient(iso20.port, ["-tls1_3", "-groups", "prime256v1", ...mutual], dir);
      assert.notEqual(p256.status, 0, "a group outside the -20 profile");
      assert.ok(iso20.handshakeFailures.length >= 3, iso20.handshakeFailures.join("; "));
    } finally {
      iso2.close();
      iso20.close();
    }
  });
});

test("openssl s_client against a -20 server with middleboxCompatibility: false: completes, and its -trace shows no change_cipher_spec received", { skip: opensslSkip }, async () => {
  await withPkiDir(async (dir) => {
    const secure = (compat: boolean): TlsSecureOptions => ({ profile: "iso20", credentials: [credentials("iso20", "secc")], trustAnchors: [root("iso20", "oem-root")], middleboxCompatibility: compat });
    const mutual = ["-tls1_3", "-trace", "-cert", "iso20/oem-prov.pem", "-key", "iso20/oem-prov.key.pem", "-cert_chain", "iso20/oem-prov-chain.pem", "-CAfile", "iso20/v2g-root.pem"];
    for (const compat of [true, false]) {
      const listener = new NodeTlsListener({ address: "::1", port: 0, secure: secure(compat), onReadable: () => listener.read({})?.close() });
      await listener.ready;
      try {
        const r = await sClient(listener.port, mutual, dir);
        assert.equal(r.status, 0, r.output);
        const received = /Received Record\s+Header:\s+Version = [^\n]+\n\s+Content Type = ChangeCipherSpec/.test(r.output);
        assert.equal(received, compat, `compatibility ${compat ? "on" : "off"}: ${r.output.slice(0, 2000)}`);
      } finally {
        listener.close();
      }
    }
  });
});

const S_SERVER_CASES = [
  {
    label: "-2 (TLS 1.2, ECDHE-ECDSA-AES128-SHA256, server authentication)",
    profile: "iso2" as const,
    args: ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256", "-cert", "iso2/secc.pem", "-key", "iso2/secc.key.pem", "-cert_chain", "iso2/secc-chain.pem"],
    client: (): TlsSecureOptions => ({ profile: "iso2", trustAnchors: [root("iso2", "v2g-root")] }),
    protocol: "TLSv1.2",
  },
  {
    label: "-20 (TLS 1.3, mutual authentication)",
    profile: "iso20" as const,
    args: ["-tls1_3", "-cert", "iso20/secc.pem", "-key", "iso20/secc.key.pem", "-cert_chain", "iso20/secc-chain.pem", "-CAfile", "iso20/oem-root.pem", "-Verify", "3"],
    client: (): TlsSecureOptions => ({ profile: "iso20", credentials: [credentials("iso20", "oem-prov")], trustAnchors: [root("iso20", "v2g-root")] }),
    protocol: "TLSv1.3",
  },
];

for (const c of S_SERVER_CASES) {
  test(`our ${c.label} client completes a handshake with openssl s_server`, { skip: opensslSkip }, async () => {
    await withPkiDir(async (dir) => {
      // A free port: bind one, close it, give it to s_server.
      const probe = new NodeTlsListener({ address: "::1", port: 0, secure: { profile: "iso2", credentials: [credentials("iso2", "secc")], trustAnchors: [] } });
      await probe.ready;
      const port = probe.port;
      probe.close();
      const server = spawn("openssl", ["s_server", "-accept", `[::1]:${port}`, ...c.args, "-verify_return_error", "-naccept", "1"], { cwd: dir });
      try {
        await new Promise<void>((resolve, reject) => {
          let text = "";
          server.stdout.on("data", (d) => {
            text += d;
            if (text.includes("ACCEPT")) resolve();
          });
          server.on("close", () => reject(new Error(`s_server ended: ${text}`)));
        });
        const session = await new Promise<TlsSocket>((resolve, reject) => {
          const socket: TlsSocket = new NodeTlsSocket({ address: "::1", port, secure: c.client(), onWritable: () => resolve(socket), onError: reject });
        });
        assert.equal(session.session!.protocol, c.protocol);
        assert.deepEqual(session.session!.peerChain[0], pki(c.profile).get("secc")!.der);
        session.close();
      } finally {
        server.kill();
      }
    });
  });
}

test("one port for both standards: a -2 client gets TLS 1.2 and the P-256 leaf, a -20 client TLS 1.3 and the P-521 leaf", async () => {
  const server: TlsSecureOptions = {
    profile: "iso2+iso20",
    credentials: [credentials("iso2", "secc"), credentials("iso20", "secc")],
    trustAnchors: [root("iso20", "oem-root")],
  };
  const two = await connect(server, { profile: "iso2", trustAnchors: [root("iso2", "v2g-root")] });
  try {
    assert.equal(two.client.session!.protocol, "TLSv1.2");
    assert.equal(two.client.session!.cipherSuite, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
    assert.deepEqual(two.client.session!.peerChain[0], pki("iso2").get("secc")!.der);
    assert.equal(two.server.session!.protocol, "TLSv1.2", "the core sees TLS 1.2 and must not accept -20 in SAP");
  } finally {
    two.client.close();
    two.server.close();
    two.listener.close();
  }
  const twenty = await connect(server, { profile: "iso20", credentials: [credentials("iso20", "oem-prov")], trustAnchors: [root("iso20", "v2g-root")] });
  try {
    assert.equal(twenty.client.session!.protocol, "TLSv1.3");
    assert.equal(twenty.client.session!.cipherSuite, "TLS_AES_256_GCM_SHA384");
    assert.deepEqual(twenty.client.session!.peerChain[0], pki("iso20").get("secc")!.der);
    assert.deepEqual(twenty.server.session!.peerChain[0], pki("iso20").get("oem-prov")!.der);
  } finally {
    twenty.client.close();
    twenty.server.close();
    twenty.listener.close();
  }
});

test("one port for both standards: a TLS 1.3 client without a certificate is dropped, a TLS 1.2 one is not", { skip: opensslSkip }, async () => {
  await withPkiDir(async (dir) => {
    let accepted = 0;
    const listener = new NodeTlsListener({
      address: "::1",
      port: 0,
      secure: { profile: "iso2+iso20", credentials: [credentials("iso2", "secc"), credentials("iso20", "secc")], trustAnchors: [root("iso20", "oem-root")] },
      onReadable: () => {
        accepted++;
        listener.read({})?.close();
      },
    });
    await listener.ready;
    try {
      await sClient(listener.port, ["-tls1_3", "-CAfile", "iso20/v2g-root.pem"], dir);
      assert.equal(accepted, 0);
      assert.match(listener.handshakeFailures.join("; "), /certificate/i);
      const ok2 = await sClient(listener.port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256", "-CAfile", "iso2/v2g-root.pem"], dir);
      assert.equal(ok2.status, 0, ok2.output);
      assert.equal(accepted, 1);
    } finally {
      listener.close();
    }
  });
});

test("the combined port's ClientHello peek: not a ClientHello, cut short or random bytes never throw", () => {
  assert.equal(clientHelloOffersTls13(Buffer.from("GET / HTTP/1.1\r\n\r\n")), undefined);
  assert.equal(clientHelloOffersTls13(Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00)), undefined);
  for (let i = 0; i < 2000; i++) {
    const bytes = crypto.randomBytes(1 + (i % 300));
    bytes[0] = 0x16;
    if (bytes.length > 5) bytes[5] = 0x01;
    const answer = clientHelloOffersTls13(bytes);
    assert.ok(answer === undefined || typeof answer === "boolean");
  }
});

test("a vehicle offering both standards: TLS 1.2 with a -2 charger, TLS 1.3 with a -20 charger", async () => {
  const vehicle: TlsSecureOptions = {
    profile: "iso2+iso20",
    credentials: [credentials("iso20", "oem-prov")],
    trustAnchors: [root("iso2", "v2g-root"), root("iso20", "v2g-root")],
  };
  const two = await connect({ profile: "iso2", credentials: [credentials("iso2", "secc")], trustAnchors: [] }, vehicle);
  assert.equal(two.client.session!.protocol, "TLSv1.2", "the vehicle must now leave -20 out of SAP");
  two.client.close();
  two.server.close();
  two.listener.close();
  const twenty = await connect({ profile: "iso20", credentials: [credentials("iso20", "secc")], trustAnchors: [root("iso20", "oem-root")] }, vehicle);
  assert.equal(twenty.client.session!.protocol, "TLSv1.3");
  assert.equal(twenty.client.session!.cipherSuite, "TLS_AES_256_GCM_SHA384");
  twenty.client.close();
  twenty.server.close();
  twenty.listener.close();
});
