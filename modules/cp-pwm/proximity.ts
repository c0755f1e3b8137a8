// The proximity contact (PP) of a vehicle inlet: whether a plug is in, and the current its
// cable is rated for (IEC 61851-1 Annex B, proximity detection and cable current coding; IEC
// 62196-2 Type 2 accessories). The plug carries a resistor Rc between PP and PE; the vehicle
// measures it. Without a plug the contact is open.
//
// IEC 61851-1 Annex B codes the cable's current capability with Rc (nominal values, and the
// ranges a measurement is interpreted in):
//     Rc 1.5 kΩ (1000–2200 Ω) → 13 A       Rc 680 Ω (330–1000 Ω) → 20 A
//     Rc 220 Ω  (150–330 Ω)   → 32 A       Rc 100 Ω (75–150 Ω)   → 63 A three-phase (70 A single)
// below 75 Ω: an error (no valid coding); above 2200 Ω: no plug. A vehicle draws at most the
// cable's current (Annex B: the cable assembly limits the current), so the session caps the
// EV's maximum current by it (ISO 15118-2 AC_EVChargeParameter EVMaxCurrent).
//
// A Type 1 (SAE J1772) inlet codes no current: its host adapter reports NaN while the plug is
// latched and Infinity when it is out or its latch button (S3) is pressed — J1772's "about to
// be unplugged", on which the vehicle stops drawing current just the same.

/** The interpretation ranges of IEC 61851-1 Annex B (ohms). Frozen. */
export const PROXIMITY_CODING = Object.freeze({
  /** Below: no valid coding (PP shorted to PE, or a faulty resistor). */
  invalidBelow: 75,
  /** From 75 Ω up to (not including) 150 Ω: 63 A (the three-phase rating; 70 A single-phase). */
  amps63Below: 150,
  /** 150 Ω up to 330 Ω: 32 A. */
  amps32Below: 330,
  /** 330 Ω up to 1000 Ω: 20 A. */
  amps20Below: 1000,
  /** 1000 Ω up to 2200 Ω inclusive: 13 A; above: no plug (open). */
  openAbove: 2200,
});

/**
 * A plug is in: the reading is not above the coding table's top (2200 Ω). NaN (a digital input:
 * present, not measured) counts as plugged; Infinity (open) as not.
 */
export function proximityPlugged(ohms: number): boolean {
  return !(ohms > PROXIMITY_CODING.openAbove);
}

/**
 * The cable's coded current in amperes for a PP reading (IEC 61851-1 Annex B), undefined where
 * none is coded: no plug, a digital input (NaN), or a reading below 75 Ω (invalid).
 */
export function cableCurrentForProximity(ohms: number): number | undefined {
  const c = PROXIMITY_CODING;
  if (!(ohms >= c.invalidBelow) || ohms > c.openAbove) return undefined;
  if (ohms < c.amps63Below) return 63;
  if (ohms < c.amps32Below) return 32;
  if (ohms < c.amps20Below) return 20;
  return 13;
}
