// Timers and counters of ISO 15118-3 (SLAC), named as the standard names them.
// Values from ../shared/docs/standards-notes.md (ISO 15118-3 Table 3 / Annex A).

import { Millis, Seconds } from "../common/clock";

/** EVSE: from the EV plug-in (state B) until CM_SLAC_PARM.REQ; the standard allows 20–50 s. */
export const TT_EVSE_SLAC_init = Seconds(50);
/** EV: performance time to start SLAC after plug-in. */
export const TP_EV_SLAC_init = Seconds(10);
/** Time to the next message of a sequence (e.g. CM_START_ATTEN_CHAR.IND after CM_SLAC_PARM.CNF). */
export const TT_match_sequence = Millis(400);
/** Time a request waits for its response before it is repeated. */
export const TT_match_response = Millis(200);
/** EV: collecting CM_ATTEN_CHAR.IND after the first CM_START_ATTEN_CHAR.IND. */
export const TT_EV_atten_results = Millis(1200);
/** EVSE: sounding window after CM_START_ATTEN_CHAR.IND (CM_SLAC_PARM.CNF says 0x06 = 600 ms). */
export const TT_EVSE_match_MNBC = Millis(600);
/** EV: interval between the messages of a batch (start-atten-char, sounds): 20–50 ms. */
export const TP_EV_batch_msg_interval = Millis(20);
/** Repetitions of a request that got no answer. */
export const C_EV_match_retry = 2;
/** CM_START_ATTEN_CHAR.IND is sent this many times. */
export const C_EV_start_atten_char_inds = 3;
/** Number of CM_MNBC_SOUND.IND the EV sends. */
export const C_EV_match_MNBC = 10;
/** After CM_SLAC_MATCH.CNF: until the logical network is joined. */
export const TT_match_join = Seconds(12);
/** EVSE: after CM_ATTEN_CHAR.RSP, waiting for CM_VALIDATE.REQ or CM_SLAC_MATCH.REQ. */
export const TT_EVSE_match_session = Seconds(10);
/** Length of the state E/F pulse that wakes a sleeping EV (and restarts SLAC). */
export const T_step_EF = Seconds(4);
/** Number of whole matching attempts before giving up. */
export const C_conn_max_match = 3;
/** Connection coordination (ISO 15118-3 §A.8): the HLC starts within this after the link is ready. */
export const T_conn_init_HLC = Millis(200);
/** A data link lost after matching may come back within this before SLAC starts over. */
export const T_conn_resume = Seconds(6);
/** Longest time without communication before the connection counts as lost. */
export const T_conn_max_comm = Seconds(8);
/** After a pause (D-LINK_PAUSE) the link is set up again within this. */
export const T_conn_resetup = Seconds(15);
/** Data link ready notification to the higher layer: 200–1000 ms after the link is up. */
export const TP_link_ready_notification = Millis(200);

/** CM_SLAC_PARM.CNF / CM_START_ATTEN_CHAR.IND time-out field: units of 100 ms. */
export const SLAC_TIMEOUT_FIELD = 6;
/** Number of carrier groups in an attenuation profile (HomePlug GP). */
export const NUM_GROUPS = 58;
