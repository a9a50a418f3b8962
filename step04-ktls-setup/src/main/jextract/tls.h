/* The kernel TLS declarations step 4 needs, gathered for jextract:
 * SOL_TLS lives in the C library's socket header, TCP_ULP in its TCP header,
 * the crypto_info structs and TLS_* constants in the kernel's uapi header. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include <linux/tls.h>
