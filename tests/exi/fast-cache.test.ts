// The generated encoders' cache of repeated strings and binaries (modules/exi/fast.ts eStr /
// eBin): a connection's encoder writes the last SessionID, EVSEID and MeterID again with one
// copy. It must give the interpreter's bytes whatever changed since: the value (a SessionID
// array changed in place), the bit alignment the value lands on, or the message around it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Encoder } from "../../modules/exi/codec";
import { grammarOf } from "../../modules/exi/schemas";

const iso2 = grammarOf("iso2")!;
const plain = Object.freeze({ ...iso2, fast: undefined });
const pv = (Value: number, Unit: string, Multiplier = 0) => ({ Multiplier, Unit, Value });

function currentDemandRes(id: Uint8Array, evseId: string, meterId: string, notification: boolean): object {
  return {
    V2G_Message: {
      Header: notification ? { SessionID: id, Notification: { FaultCode: "UnknownError" } } : { SessionID: id },
      Body: {
        CurrentDemandRes: {
          ResponseCode: "OK",
          DC_EVSEStatus: { EVSEIsolationStatus: "Valid", EVSEStatusCode: "EVSE_Ready", NotificationMaxDelay: 0, EVSENotification: "None" },
          EVSEPresentVoltage: pv(3987, "V", -1),
          EVSEPresentCurrent: pv(995, "A", -1),
          EVSECurrentLimitAchieved: false,
          EVSEVoltageLimitAchieved: false,
          EVSEPowerLimitAchieved: false,
          EVSEID: evseId,
          SAScheduleTupleID: 1,
          MeterInfo: { MeterID: meterId, MeterReading: 12n },
        },
      },
    },
  };
}

function chargingStatusRes(id: Uint8Array, evseId: string, meterId: string): object {
  return {
    V2G_Message: {
      Header: { SessionID: id },
      Body: {
        ChargingStatusRes: {
          ResponseCode: "OK",
          EVSEID: evseId,
          SAScheduleTupleID: 1,
          MeterInfo: { MeterID: meterId, MeterReading: 0n },
          AC_EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: "None", RCD: false },
        },
      },
    },
  };
}

test("cached strings and binaries: the interpreter's bytes after the value, its alignment or the message changed", () => {
  const cached = new Encoder(), reference = new Encoder();
  const id = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const same = (doc: object, what: string) => {
    const a = cached.encode(iso2, doc, false);
    const b = reference.encode(plain, doc, false);
    assert.deepEqual([...a], [...b], what);
  };
  same(currentDemandRes(id, "DE*XS1*E0001", "M-1", false), "first message");
  same(currentDemandRes(id, "DE*XS1*E0001", "M-1", false), "the same again (from the cache)");
  id[7] = 9; // the session's array changed in place
  same(currentDemandRes(id, "DE*XS1*E0001", "M-1", false), "SessionID changed in place");
  same(currentDemandRes(id.slice(0, 4), "DE*XS1*E0001", "M-1", false), "a shorter SessionID");
  same(currentDemandRes(id, "DE*XS1*E0002", "M-12", false), "other EVSEID and MeterID of other length");
  // the header's Notification moves everything after it to other bit offsets
  same(currentDemandRes(id, "DE*XS1*E0002", "M-12", true), "same values at another alignment");
  same(currentDemandRes(id, "DE*XS1*E0002", "M-12", true), "again at that alignment");
  same(chargingStatusRes(id, "DE*XS1*E0002", "M-12"), "the same values in another message");
  same(currentDemandRes(id, "DE*XS1*E0002", "M-12", false), "back to the first alignment");
  // a value the cache must not take: not ASCII (the interpreter writes it), then the cached one again
  same(currentDemandRes(id, "DE*XS1*É0002", "M-12", false), "non-ASCII EVSEID");
  same(currentDemandRes(id, "DE*XS1*E0002", "M-12", false), "cached EVSEID after the interpreter wrote another");
});

test("a cached value is still checked against its facets", () => {
  const enc = new Encoder();
  enc.encode(iso2, currentDemandRes(Uint8Array.of(1), "DE*XS1*E0001", "M-1", false), false);
  // EVSEID minLength 7: the interpreter's facet error, cache or not
  assert.throws(() => enc.encode(iso2, currentDemandRes(Uint8Array.of(1), "DE*1", "M-1", false), false), /exi-facet/);
  // a SessionID of 9 octets (maxLength 8) after an accepted one of 8
  enc.encode(iso2, currentDemandRes(new Uint8Array(8), "DE*XS1*E0001", "M-1", false), false);
  assert.throws(() => enc.encode(iso2, currentDemandRes(new Uint8Array(9), "DE*XS1*E0001", "M-1", false), false), /exi-facet/);
});
