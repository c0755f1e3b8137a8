// Developer aid: prints the grammar states of one complex type.
//   node --import tsx tools/exigen/dbg.ts <schema> <type index>
import { grammarOf, type SchemaId } from "../../modules/exi/schemas";
const g = grammarOf(process.argv[2] as SchemaId)!;
const name = process.argv[3];
// print the grammar of the type of global element / state listing
function dumpState(s: number) {
  const out: string[] = [];
  for (let p = g.stStart[s]; p < g.stStart[s+1]; p++) {
    const k = g.pKind[p] & 7;
    out.push(`${["AT","SE","SE*","EE","CH","CHm"][k]}${k<=1?"("+g.qLocal[g.pQ[p]]+")":""}${g.pKind[p]&8?"[]":""}->${g.pNext[p]}${k===1?" c="+g.pChild[p]:""}`);
  }
  return `s${s} w${g.stWidth[s]}: ` + out.join(", ");
}
const ti = Number(name);
const start = g.tStart[ti];
const seen = new Set<number>(); const todo = [start];
while (todo.length) { const s = todo.pop()! & 0xfffff; if (seen.has(s)) continue; seen.add(s); console.log(dumpState(s)); for (let p = g.stStart[s]; p < g.stStart[s+1]; p++) { const n = g.pNext[p]; if (n >= 0) todo.push(n); else { const c = (-n-1)>>1; for (const x of [g.cLt[c], g.cMid[c], g.cFull[c]]) if (x>=0) todo.push(x);} } }
