// epoll for the `codex serve` event loop: <sys/epoll.h> is not in Swift's Glibc module, and
// `struct epoll_event` is packed on x86-64, so the events are handed over as two plain arrays.
#define _GNU_SOURCE
#include "CSandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

int csb_epoll_create(void) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int csb_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
  struct epoll_event ev = {.events = events, .data = {.u64 = token}};
  return epoll_ctl(epfd, op, fd, &ev) < 0 ? -errno : 0;
}

int csb_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
  struct epoll_event ready[256];
  if (max > 256) max = 256;
  int n = epoll_wait(epfd, ready, max, timeout_ms);
  if (n < 0) return errno == EINTR ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    tokens[i] = ready[i].data.u64;
    events[i] = ready[i].events;
  }
  return n;
}

int csb_accept(int listen_fd, char *peer, size_t peer_size) {
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  int fd = accept4(listen_fd, (struct sockaddr *)&address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return -errno;
  char host[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    snprintf(peer, peer_size, "%s:%u", host, (unsigned)ntohs(v4->sin_port));
  } else if (address.ss_family == AF_INET6) {
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    snprintf(peer, peer_size, "[%s]:%u", host, (unsigned)ntohs(v6->sin6_port));
  } else if (peer_size > 0) {
    peer[0] = 0;
  }
  // Small SSE events go out at once rather than waiting for Nagle's acknowledgement.
  int one = 1;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

_Static_assert(CSB_EPOLL_IN == EPOLLIN && CSB_EPOLL_OUT == EPOLLOUT && CSB_EPOLL_ERR == EPOLLERR &&
                   CSB_EPOLL_HUP == EPOLLHUP && CSB_EPOLL_RDHUP == EPOLLRDHUP,
               "CSB_EPOLL_* must match <sys/epoll.h>");
_Static_assert(EPOLL_CTL_ADD == 1 && EPOLL_CTL_DEL == 2 && EPOLL_CTL_MOD == 3,
               "csb_epoll_ctl's op values must match <sys/epoll.h>");
