// The native calls of ota-boot.c (ESP-IDF app rollback), shaped as the BootControl host
// interface of modules/ota/flash.ts (plus setBootToUpdate of its UpdateFlash).
function runningSlot() @ "xs_ota_boot_running_slot";
function runningPendingVerify() @ "xs_ota_boot_pending_verify";
function markValid() @ "xs_ota_boot_mark_valid";
function rollback() @ "xs_ota_boot_rollback";
function setBootToUpdate() @ "xs_ota_boot_set_boot_to_update";
function restart() @ "xs_ota_boot_restart";

export default Object.freeze({ runningSlot, runningPendingVerify, markValid, rollback, setBootToUpdate, restart });
