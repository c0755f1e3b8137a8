// @node-only @slow — hosts/native-net/v2g-sockets.c, the socket C the Linux host and the ESP32
// share, run the way the station uses it (support/sockets-check.c: SDP's multicast to ff02::1 and
// its unicast answer, V2GTP's TCP with link-local scope ids, a peer that leaves, a refused
// connection, an unknown interface) on both socket APIs it is written for:
//  - Linux's, between two network namespaces this test makes and joins by a veth pair (root,
//    iproute2 and cc; skips otherwise);
//  - lwIP's BSD sockets, from ESP-IDF's lwIP ($XS15118_ESP_IDF_SRC, hosts/esp32/README.md
//    "Compiling against ESP-IDF") built for Linux threads (support/lwip-sockets: the tcpip thread,
//    two Ethernet netifs joined by a wire in the process), with the same C as the ESP32 build
//    (the lwIP branch of v2g-sockets.c); skips without the sources.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = process.cwd();
const SUPPORT = path.join(ROOT, "tests/native-net/support");
const SOCKETS = path.join(ROOT, "hosts/native-net");
const LWIP = path.join(process.env.XS15118_ESP_IDF_SRC ?? "", "components/lwip/lwip/src");
const STEPS = ["udp-open", "udp-multicast-send", "udp-multicast-receive", "udp-unicast-send", "udp-unicast-receive", "tcp-connect", "tcp-accept", "tcp-request", "tcp-response", "tcp-peer-closed", "tcp-refused", "udp-no-interface"];

function run(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}): { ok: boolean; out: string } {
  const r = spawnSync(args[0], args.slice(1), { encoding: "utf8", timeout: options.timeout ?? 60_000, env: options.env ?? process.env, cwd: options.cwd });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim() };
}

function linuxSkip(): string | false {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "needs root (ip netns add)";
  if (!run(["ip", "-V"]).ok) return "no iproute2 'ip' command";
  if (!run(["cc", "--version"]).ok) return "no C compiler (cc)";
  return false;
}

function lwipSkip(): string | false {
  if (!process.env.XS15118_ESP_IDF_SRC) return "$XS15118_ESP_IDF_SRC is not set: no lwIP sources (see hosts/esp32/README.md, \"Compiling against ESP-IDF\")";
  if (!fs.existsSync(path.join(LWIP, "api/sockets.c"))) return `no lwIP sources at ${LWIP}`;
  if (!run(["cc", "--version"]).ok) return "no C compiler (cc)";
  return false;
}

/** Every step of the check printed "ok", in order; the lines for the log. */
function checkSteps(output: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of output.split("\n")) {
    const m = /^([a-z-]+) (ok|FAILED) ?(.*)$/.exec(line);
    if (m) lines.set(m[1], `${m[2]} ${m[3]}`);
  }
  for (const step of STEPS) assert.ok(lines.get(step)?.startsWith("ok"), `${step}: ${lines.get(step) ?? "not reached"}\n${output}`);
  assert.match(output, /^done 0 failed$/m);
  return lines;
}

function temporary(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("on Linux's sockets, between two network namespaces over a veth pair", { skip: linuxSkip(), timeout: 120_000 }, (t) => {
  const dir = temporary(t, "xs15118-sockets-linux-");
  const program = path.join(dir, "sockets-check");
  const built = run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", `-I${SOCKETS}`, "-o", program, path.join(SUPPORT, "sockets-check.c"), path.join(SUPPORT, "posix-setup.c"), path.join(SOCKETS, "v2g-sockets.c")]);
  assert.ok(built.ok, built.out);

  const id = `${(process.pid % 46656).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const ns = { a: `xs15118-${id}-sa`, b: `xs15118-${id}-sb` };
  t.after(() => {
    // Deleting a namespace destroys its veth end, and with it the peer.
    run(["ip", "netns", "del", ns.a]);
    run(["ip", "netns", "del", ns.b]);
  });
  for (const name of [ns.a, ns.b]) {
    assert.ok(run(["ip", "netns", "add", name]).ok);
    // No duplicate address detection: the link-local addresses are usable as soon as the link is up.
    assert.ok(run(["ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"]).ok);
  }
  const veth = run(["ip", "link", "add", `s${id}a`, "netns", ns.a, "type", "veth", "peer", "name", `s${id}b`, "netns", ns.b]);
  assert.ok(veth.ok, veth.out);
  assert.ok(run(["ip", "-n", ns.a, "link", "set", `s${id}a`, "up"]).ok);
  assert.ok(run(["ip", "-n", ns.b, "link", "set", `s${id}b`, "up"]).ok);
  // The kernel gives each end its link-local address once the carrier is there.
  const deadline = Date.now() + 10_000;
  const hasLinkLocal = (name: string, dev: string) => /inet6 fe80::/.test(run(["ip", "-n", name, "-6", "addr", "show", "dev", dev]).out);
  while (!(hasLinkLocal(ns.a, `s${id}a`) && hasLinkLocal(ns.b, `s${id}b`))) {
    assert.ok(Date.now() < deadline, "no link-local addresses on the veth pair");
    spawnSync("sleep", ["0.1"]);
  }

  const checked = run([program, `s${id}a`, `s${id}b`], { env: { ...process.env, XS15118_NS_A: ns.a, XS15118_NS_B: ns.b } });
  const steps = checkSteps(checked.out);
  assert.match(steps.get("udp-multicast-receive")!, new RegExp(`%s${id}a port`), "the sender's address carries the receiving interface as its zone");
  console.log(`Linux sockets:\n  ${checked.out.split("\n").join("\n  ")}`);
});

test("on lwIP's sockets (ESP-IDF's lwIP, the ESP32's branch of the C), between two netifs on a wire", { skip: lwipSkip(), timeout: 10 * 60_000 }, (t) => {
  const dir = temporary(t, "xs15118-sockets-lwip-");
  const harness = path.join(SUPPORT, "lwip-sockets");
  const sources = ["core", "core/ipv6", "api"].flatMap((folder) =>
    fs
      .readdirSync(path.join(LWIP, folder))
      .filter((f) => f.endsWith(".c"))
      .map((f) => path.join(LWIP, folder, f)),
  );
  // lwIP's own code: its warnings are not ours (-w), as in tests/esp32/qca7000-netif-lwip.test.ts.
  const lwip = run(["cc", "-c", "-std=gnu99", "-O1", "-w", "-D_GNU_SOURCE", `-I${harness}`, `-I${path.join(LWIP, "include")}`, ...sources, path.join(LWIP, "netif/ethernet.c")], { cwd: dir, timeout: 5 * 60_000 });
  assert.ok(lwip.ok, lwip.out);
  const objects = fs.readdirSync(dir).filter((f) => f.endsWith(".o")).map((f) => path.join(dir, f));
  const program = path.join(dir, "sockets-check");
  const built = run([
    "cc", "-O1", "-std=gnu99", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE", "-DXS15118_LWIP_SOCKETS",
    `-I${harness}`, `-I${path.join(LWIP, "include")}`, `-I${SOCKETS}`, "-o", program,
    path.join(SUPPORT, "sockets-check.c"), path.join(harness, "lwip-setup.c"), path.join(harness, "sys_arch.c"), path.join(SOCKETS, "v2g-sockets.c"),
    ...objects, "-lpthread",
  ]);
  assert.ok(built.ok, built.out);
  // lwIP names its netifs by two letters and a number: the wire's ends are qa0 and qb1.
  const checked = run([program, "qa0", "qb1"], { timeout: 60_000 });
  const steps = checkSteps(checked.out);
  assert.match(steps.get("udp-multicast-receive")!, /%qa0 port/, "the sender's address carries the receiving netif as its zone");
  console.log(`lwIP sockets:\n  ${checked.out.split("\n").join("\n  ")}`);
});
