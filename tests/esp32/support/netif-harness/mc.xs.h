/* The identifiers qca7000-netif.c uses (xsl generates mc.xs.h in a Moddable build). */
#pragma once
enum { xsID_clock = 1, xsID_hz, xsID_in, xsID_interrupt, xsID_mac, xsID_onError, xsID_onReadable, xsID_out, xsID_port, xsID_select };
