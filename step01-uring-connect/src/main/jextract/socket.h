/* The socket, address, polling, eventfd and memory-mapping declarations step 1 needs, gathered for jextract. */
#include <sys/socket.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
