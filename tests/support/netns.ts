// @node-only — test support: two network namespaces joined by a veth pair, for end-to-end tests of
// `xs15118 secc` and `xs15118 evcc` as separate processes on real IPv6 (SDP on ff02::1 over the
// veth, TCP on link-local addresses). Needs root and iproute2: setUp() gives the reason to skip
// otherwise. Names are unique per run; the namespaces go away on cleanup() and at process exit.
import { spawnSync } from "node:child_process";

export interface NetnsPair {
  /** Namespaces and interface names (≤ 15 characters) of the charger's and the vehicle's side. */
  nsSecc: string;
  nsEv: string;
  ifSecc: string;
  ifEv: string;
  /** Deletes both namespaces (and with them the veth pair). Harmless twice. */
  cleanup(): void;
}

function run(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(args[0], args.slice(1), { encoding: "utf8", timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim() };
}

/** Creates the pair under `tag` (a few letters); the reason to skip when the machine does not allow it. */
export async function setUpNetnsPair(tag: string): Promise<NetnsPair | string> {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "needs root (ip netns add)";
  if (!run(["ip", "-V"]).ok) return "no iproute2 'ip' command";
  const id = `${tag}${(process.pid % 1296).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const pair: NetnsPair = {
    nsSecc: `xs15118-${id}-secc`,
    nsEv: `xs15118-${id}-ev`,
    ifSecc: `xs${id}s`,
    ifEv: `xs${id}v`,
    cleanup: () => undefined,
  };
  const a = run(["ip", "netns", "add", pair.nsSecc]);
  if (!a.ok) return `cannot create a network namespace: ${a.out}`;
  let created = true;
  pair.cleanup = () => {
    if (!created) return;
    created = false;
    run(["ip", "netns", "del", pair.nsSecc]);
    run(["ip", "netns", "del", pair.nsEv]);
  };
  process.once("exit", pair.cleanup); // a crash of the test process must not leave namespaces behind
  const steps: string[][] = [
    ["ip", "netns", "add", pair.nsEv],
    ["ip", "link", "add", pair.ifSecc, "netns", pair.nsSecc, "type", "veth", "peer", "name", pair.ifEv, "netns", pair.nsEv],
  ];
  for (const [ns, ifname] of [[pair.nsSecc, pair.ifSecc], [pair.nsEv, pair.ifEv]]) {
    // no duplicate address detection: the link-local address is usable at once
    steps.push(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", `net.ipv6.conf.${ifname}.accept_dad=0`, `net.ipv6.conf.${ifname}.disable_ipv6=0`]);
    steps.push(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
    steps.push(["ip", "netns", "exec", ns, "ip", "link", "set", ifname, "up"]);
  }
  for (const step of steps) {
    const r = run(step);
    if (!r.ok) {
      pair.cleanup();
      return `cannot set up the veth pair (${step.join(" ")}): ${r.out}`;
    }
  }
  // both ends have a usable (not tentative) link-local address, within 5 s
  const deadline = Date.now() + 5000;
  for (const [ns, ifname] of [[pair.nsSecc, pair.ifSecc], [pair.nsEv, pair.ifEv]]) {
    for (;;) {
      const r = run(["ip", "netns", "exec", ns, "ip", "-6", "addr", "show", "dev", ifname, "scope", "link"]);
      if (r.ok && /inet6 fe80::/.test(r.out) && !/tentative/.test(r.out)) break;
      if (Date.now() > deadline) {
        pair.cleanup();
        return `no usable link-local address on ${ifname}: ${r.out}`;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return pair;
}
