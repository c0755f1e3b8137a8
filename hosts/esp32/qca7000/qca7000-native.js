// The native QCA7000 driver and lwIP interface of qca7000-netif.c (ESP-IDF), for native-link.ts.
class Qca7000Native @ "xs_qca7000_native_destructor" {
	constructor(options) @ "xs_qca7000_native";
	read() @ "xs_qca7000_native_read";
	write(buffer) @ "xs_qca7000_native_write";
	setLinkUp(up) @ "xs_qca7000_native_set_link_up";
	get state() @ "xs_qca7000_native_get_state";
	get interfaceName() @ "xs_qca7000_native_get_interface_name";
	get address() @ "xs_qca7000_native_get_address";
	close() @ "xs_qca7000_native_close";
}

export default Qca7000Native;
