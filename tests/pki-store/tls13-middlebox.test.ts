// @node-only — TLS 1.3 middlebox-compatibility mode (RFC 8446 Appendix D.4) as an option of the
// Node host (TlsSecureOptions.middleboxCompatibility), checked on the wire: a recording TCP relay
// between our vehicle and our charger counts the change_cipher_spec records each side sends.
// OpenSSL sends them in every TLS 1.3 handshake and node:tls cannot turn that off (secureOptions
// only sets option bits); with the option off the Node host takes them out of the stream, and the
// handshake and the data still go through. TLS 1.2 keeps its ChangeCipherSpec whatever the option.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { constants } from "node:crypto";
import { credentials, pki } from "../support/node-test-pki";
import { NodeTlsListener, NodeTlsSocket, serverHelloIsTls13 } from "../../hosts/sim/crypto/tls";
import { pem, privateKeyObject } from "../../hosts/sim/pki/files";
import { main } from "../../hosts/sim/cli";
import { parseEvccArgs } from "../../hosts/sim/commands/evcc";
import { parseSeccArgs } from "../../hosts/sim/commands/secc";
import { bufferIo } from "../support/cli-io";
import type { TlsSecureOptions, TlsSocket } from "../../modules/pki-store/index";

function profiles(profile: "iso2" | "iso20", seccCompat: boolean | undefined, evccCompat: boolean | undefined): { secc: TlsSecureOptions; evcc: TlsSecureOptions } {
  const compat = (on: boolean | undefined) => (on === undefined ? {} : { middleboxCompatibility: on });
  if (profile === "iso2") {
    return {
      secc: { profile, credentials: [credentials("iso2", "secc")], trustAnchors: [], ...compat(seccCompat) },
      evcc: { profile, trustAnchors: [pki("iso2").get("v2g-root")!.der], ...compat(evccCompat) },
    };
  }
  return {
    secc: { profile, credentials: [credentials("iso20", "secc")], trustAnchors: [pki("iso20").get("oem-root")!.der], ...compat(seccCompat) },
    evcc: { profile, credentials: [credentials("iso20", "oem-prov")], trustAnchors: [pki("iso20").get("v2g-root")!.der], ...compat(evccCompat) },
  };
}

/** The content type of each TLS record in a byte stream (RFC 8446 §5.1). */
function recordTypes(stream: Buffer): number[] {
  const types: number[] = [];
  for (let p = 0; p + 5 <= stream.length; p += 5 + stream.readUInt16BE(p + 3)) types.push(stream[p]);
  return types;
}

interface Wire {
  /** Record types the vehicle (client) and the charger (server) sent. */
  evcc: number[];
  secc: number[];
  protocol: string | undefined;
  /** What the charger read from the vehicle after the handshake. */
  received: string;
}

/** A TCP relay on ::1 to `port` that keeps the bytes of each direction. */
async function recordingRelay(port: number): Promise<{ port: number; toServer: Buffer[]; toClient: Buffer[]; close(): void }> {
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const relay = net.createServer((down) => {
    const up = net.connect({ host: "::1", port });
    down.on("data", (d: Buffer) => (toServer.push(d), up.write(d)));
    up.on("data", (d: Buffer) => (toClient.push(d), down.write(d)));
    for (const [a, b] of [[down, up], [up, down]] as const) {
      a.on("end", () => b.end());
      a.on("error", () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, "::1", resolve));
  return { port: (relay.address() as net.AddressInfo).port, toServer, toClient, close: () => relay.close() };
}

/** One handshake through a recording relay, then "ping" from the vehicle to the charger. */
async function handshake(secure: { secc: TlsSecureOptions; evcc: TlsSecureOptions }): Promise<Wire> {
  let server: TlsSocket | undefined;
  let received = "";
  let gotPing!: () => void;
  const pinged = new Promise<void>((resolve) => (gotPing = resolve));
  const listener = new NodeTlsListener({
    address: "::1",
    port: 0,
    secure: secure.secc,
    onReadable: () => {
      server = listener.read({
        onReadable: () => {
          for (let data = server!.read(); data !== undefined; data = server!.read()) received += Buffer.from(data).toString();
          if (received === "ping") gotPing();
        },
      });
    },
  });
  await listener.ready;
  const relay = await recordingRelay(listener.port);
  let client!: TlsSocket;
  try {
    await new Promise<void>((resolve, reject) => {
      client = new NodeTlsSocket({
        address: "::1",
        port: relay.port,
        secure: secure.evcc,
        onWritable: () => resolve(),
        onError: reject,
      });
    });
    client.write(new TextEncoder().encode("ping"));
    await pinged;
    return { evcc: recordTypes(Buffer.concat(relay.toServer)), secc: recordTypes(Buffer.concat(relay.toClient)), protocol: client.session?.protocol, received };
  } finally {
    client?.close();
    server?.close();
    listener.close();
    relay.close();
  }
}

const CCS = 20;
const count = (types: number[]) => types.filter((t) => t === CCS).length;

test("OpenSSL (node:tls) sends compatibility change_cipher_spec records in TLS 1.3 by default, both ways", async () => {
  const wire = await handshake(profiles("iso20", undefined, undefined));
  assert.equal(wire.protocol, "TLSv1.3");
  assert.equal(count(wire.evcc), 1, `vehicle records ${wire.evcc}`);
  assert.equal(count(wire.secc), 1, `charger records ${wire.secc}`);
});

test("secureOptions cannot clear SSL_OP_ENABLE_MIDDLEBOX_COMPAT: node exports no such constant, and setting bits only adds", async () => {
  assert.equal((constants as unknown as Record<string, number>).SSL_OP_ENABLE_MIDDLEBOX_COMPAT, undefined);
  // OpenSSL 3's bit for the option (SSL_OP_BIT(20)): set again, it changes nothing on the wire.
  const server = tls.createServer({ ...credentialsPem(), minVersion: "TLSv1.3", secureOptions: 1 << 20 }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, "::1", resolve));
  const relay = await recordingRelay((server.address() as net.AddressInfo).port);
  try {
    await new Promise<void>((resolve) => {
      const s = tls.connect({ host: "::1", port: relay.port, rejectUnauthorized: false, minVersion: "TLSv1.3", secureOptions: 1 << 20 });
      s.on("data", () => undefined);
      s.on("close", () => resolve());
      s.on("error", () => resolve());
    });
  } finally {
    server.close();
    relay.close();
  }
  const seen = [relay.toClient, relay.toServer];
  assert.deepEqual(seen.map((bytes) => count(recordTypes(Buffer.concat(bytes)))), [1, 1], "both still sent their change_cipher_spec");
});

test("middleboxCompatibility: false on the charger: no change_cipher_spec from it; the vehicle's own still arrives and is dropped by OpenSSL", async () => {
  const wire = await handshake(profiles("iso20", false, undefined));
  assert.equal(wire.protocol, "TLSv1.3");
  assert.equal(count(wire.secc), 0, `charger records ${wire.secc}`);
  assert.equal(count(wire.evcc), 1);
  assert.equal(wire.received, "ping");
});

test("middleboxCompatibility: false on both: a TLS 1.3 handshake without any change_cipher_spec record, data flows", async () => {
  const wire = await handshake(profiles("iso20", false, false));
  assert.deepEqual([count(wire.evcc), count(wire.secc)], [0, 0], `vehicle ${wire.evcc}, charger ${wire.secc}`);
  assert.equal(wire.evcc[0], 22, "the ClientHello is unchanged");
  assert.equal(wire.received, "ping");
});

test("TLS 1.2 (ISO 15118-2) keeps its ChangeCipherSpec with the option off: it is part of that protocol", async () => {
  const wire = await handshake(profiles("iso2", false, false));
  assert.equal(wire.protocol, "TLSv1.2");
  assert.equal(count(wire.evcc), 1);
  assert.equal(count(wire.secc), 1);
  assert.equal(wire.received, "ping");
});

test("serverHelloIsTls13: a TLS 1.3 suite (0x13xx) in the ServerHello, a TLS 1.2 one, not a ServerHello", () => {
  const hello = (suite: number) => {
    const body = Buffer.alloc(2 + 32 + 1 + 32 + 2 + 1);
    body.writeUInt16BE(0x0303, 0);
    body[34] = 32; // legacy_session_id_echo
    body.writeUInt16BE(suite, 67);
    const hs = Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
    return Buffer.concat([Buffer.from([22, 3, 3, hs.length >> 8, hs.length & 255]), hs]);
  };
  assert.equal(serverHelloIsTls13(hello(0x1302)), true);
  assert.equal(serverHelloIsTls13(hello(0xc023)), false);
  assert.equal(serverHelloIsTls13(Buffer.from([22, 3, 1, 0, 4, 1, 0, 0, 0])), undefined);
});

function credentialsPem(): { key: string; cert: string } {
  const entity = pki("iso2").get("secc")!;
  return { cert: pem("CERTIFICATE", entity.der), key: privateKeyObject(entity.key.scheme, entity.key.privateKey).export({ format: "pem", type: "pkcs8" }).toString() };
}

test("--tls13-middlebox-compat on|off on sim, secc and evcc: needs --tls, reaches the station's TLS options", async () => {
  const quiet = bufferIo();
  for (const command of [["sim"], ["secc", "--no-sdp"], ["evcc", "--secc", "[::1]:1"]]) {
    assert.equal(await main([...command, "--tls13-middlebox-compat", "off"], quiet), 2, `${command[0]} without --tls`);
    assert.equal(await main([...command, "--tls", "--pki", "x", "--tls13-middlebox-compat", "maybe"], quiet), 2, `${command[0]} with a bad value`);
  }
  assert.equal(parseSeccArgs(["--no-sdp", "--tls", "--pki", "x", "--tls13-middlebox-compat", "off"]).tls.middleboxCompatibility, false);
  assert.equal(parseEvccArgs(["--secc", "[::1]:1", "--tls", "--pki", "x", "--tls13-middlebox-compat", "on"]).tls.middleboxCompatibility, true);
  assert.equal(parseSeccArgs(["--no-sdp", "--tls", "--pki", "x"]).tls.middleboxCompatibility, undefined, "the library's default");
});
