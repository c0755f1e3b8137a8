import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import type { StreamSocket } from "../../modules/common/io";
import { VirtualIpStack, linkLocalOf, macFor } from "../../simulation/vnet/stack";

/** Two stacks joined by a wire that delivers every frame to the other side; frames are logged. */
function pair() {
  const clock = new ManualClock();
  const frames: Uint8Array[] = [];
  const macA = Uint8Array.of(0x02, 0, 0, 0, 0, 0x0a);
  const macB = Uint8Array.of(0x02, 0, 0, 0, 0, 0x0b);
  let a!: VirtualIpStack;
  let b!: VirtualIpStack;
  a = new VirtualIpStack({ name: "ev0", clock, link: { mac: macA, write: (f) => (frames.push(f), b.receive(f)) } });
  b = new VirtualIpStack({ name: "evse0", clock, link: { mac: macB, write: (f) => (frames.push(f), a.receive(f)) } });
  return { clock, frames, a, b };
}

function text(buffer: ArrayBuffer | undefined): string {
  let s = "";
  for (const byte of new Uint8Array(buffer ?? new ArrayBuffer(0))) s += String.fromCharCode(byte);
  return s;
}

describe("virtual IPv6 stack", () => {
  test("link-local addresses follow modified EUI-64 and map back to the MAC", () => {
    const mac = Uint8Array.of(0x00, 0x01, 0x87, 0x12, 0x34, 0x56);
    const ip = linkLocalOf(mac);
    assert.deepEqual([...ip], [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x01, 0x87, 0xff, 0xfe, 0x12, 0x34, 0x56]);
    assert.deepEqual([...macFor(ip)], [...mac]);
    const multicast = new Uint8Array(16);
    multicast[0] = 0xff;
    multicast[1] = 0x02;
    multicast[15] = 1;
    assert.deepEqual([...macFor(multicast)], [0x33, 0x33, 0, 0, 0, 1]);
  });

  test("a UDP datagram to ff02::1 reaches the socket bound to that port, with the sender's address", () => {
    const { clock, a, b } = pair();
    const got: { data: number[]; address: string; port: number }[] = [];
    const server = new b.Udp({ port: 15118, onReadable: () => { const d = server.read()!; got.push({ data: [...d.data], address: d.address, port: d.port }); } });
    const client = new a.Udp({});
    client.write(Uint8Array.of(1, 0xfe, 0x90, 0, 0, 0, 0, 2, 0x10, 0), "ff02::1%ev0", 15118);
    clock.advance(1);
    assert.equal(got.length, 1);
    assert.equal(got[0].address, `${a.address.split("%")[0]}%evse0`);
    assert.equal(got[0].port, 49152);
    assert.equal(got[0].data.length, 10);
  });

  test("TCP: connect, exchange data both ways (a large write is segmented), close by the client", () => {
    const { clock, a, b } = pair();
    const serverSide: StreamSocket[] = [];
    const received: string[] = [];
    let serverError: string | undefined;
    const listener = new b.Listener({
      port: 61000,
      onReadable: () => {
        const socket = listener.read({
          onReadable: () => received.push(`server:${text(socket!.read())}`),
          onError: (e) => (serverError = e.message),
        })!;
        serverSide.push(socket);
      },
    });
    let connected = 0;
    const clientChunks: number[] = [];
    const client = new a.Tcp({
      address: `${b.address.split("%")[0]}%ev0`,
      port: 61000,
      onWritable: () => connected++,
      onReadable: () => {
        let chunk: ArrayBuffer | undefined;
        while ((chunk = client.read())) clientChunks.push(chunk.byteLength);
      },
    });
    clock.advance(5);
    assert.equal(connected, 1);
    assert.equal(serverSide.length, 1);
    client.write(Uint8Array.of(104, 105));
    clock.advance(5);
    assert.deepEqual(received, ["server:hi"]);
    serverSide[0].write(new Uint8Array(3000));
    clock.advance(5);
    assert.deepEqual(clientChunks, [1220, 1220, 560]);
    client.close();
    clock.advance(5);
    assert.equal(serverError, "connection closed by peer");
    serverSide[0].close();
    clock.advance(5);
  });

  test("TCP to a port nobody listens on is reset, and the client hears a refusal (ECONNREFUSED)", () => {
    const { clock, a, b } = pair();
    let error: (Error & { code?: string }) | undefined;
    new a.Tcp({ address: b.address.split("%")[0], port: 1234, onError: (e) => (error = e) });
    clock.advance(5);
    assert.equal(error?.message, "connection refused");
    assert.equal(error?.code, "ECONNREFUSED");
  });

  test("a closed socket gets no callbacks", () => {
    const { clock, a, b } = pair();
    let calls = 0;
    const server = new b.Udp({ port: 15118, onReadable: () => calls++ });
    server.close();
    server.close();
    new a.Udp({}).write(Uint8Array.of(1), "ff02::1", 15118);
    clock.advance(5);
    assert.equal(calls, 0);
  });
});
