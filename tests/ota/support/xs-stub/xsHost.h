/* xsHost.h: nothing more is needed by the stand-in (see xsmc.h). */
