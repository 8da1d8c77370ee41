/*
 * Benchmark target for the accuracy figure: an HTTP/1.1 keep-alive server on 127.0.0.1 that
 * answers every request ("hello") exactly DELAY_MS after it has read it, on a timerfd with a
 * timer slack of 1 ns. Node's setTimeout, which bench/server.mjs uses, fires up to a millisecond
 * or more late (its loop clock has millisecond resolution), so a Node server cannot tell a
 * generator's error from its own. Built by bench/targets.ts with the system's cc.
 *
 *   fixed-delay-server DELAY_MS     prints its port on the first line of stdout
 *
 * Requests are GETs without a body (the bench sends nothing else); a connection may have several
 * requests outstanding, answered in order.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define BUF 16384
#define MAX_EVENTS 256

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello";

enum kind { LISTENER, CONN, TIMER };

struct conn;
struct item {
  enum kind kind;
  int fd;
  struct conn *conn; /* TIMER: the connection to answer */
};
struct conn {
  struct item item;
  char buf[BUF];
  size_t len;
  int pending; /* timers running for this connection */
  int closed;
};

static int epfd;
static long delay_ns;

static void add(int fd, struct item *it) {
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = it};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    perror("epoll_ctl");
    exit(1);
  }
}

static void release(struct conn *c) {
  if (c->closed && c->pending == 0) free(c);
}

static void close_conn(struct conn *c) {
  if (c->closed) return;
  c->closed = 1;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->item.fd, NULL);
  close(c->item.fd);
  release(c);
}

static void start_timer(struct conn *c) {
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (tfd < 0) {
    perror("timerfd_create");
    exit(1);
  }
  struct itimerspec spec = {0};
  spec.it_value.tv_sec = delay_ns / 1000000000L;
  spec.it_value.tv_nsec = delay_ns % 1000000000L;
  timerfd_settime(tfd, 0, &spec, NULL);
  struct item *t = malloc(sizeof *t);
  t->kind = TIMER;
  t->fd = tfd;
  t->conn = c;
  c->pending++;
  add(tfd, t);
}

static void on_readable(struct conn *c) {
  for (;;) {
    ssize_t n = read(c->item.fd, c->buf + c->len, BUF - c->len);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      close_conn(c);
      return;
    }
    if (n < 0) break;
    c->len += (size_t)n;
    /* One timer per complete request head. */
    char *end;
    while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) != NULL) {
      size_t used = (size_t)(end - c->buf) + 4;
      memmove(c->buf, c->buf + used, c->len - used);
      c->len -= used;
      start_timer(c);
    }
    if (c->len == BUF) { /* a head this large is not one of the bench's requests */
      close_conn(c);
      return;
    }
  }
}

static void on_timer(struct item *t) {
  struct conn *c = t->conn;
  epoll_ctl(epfd, EPOLL_CTL_DEL, t->fd, NULL);
  close(t->fd);
  free(t);
  c->pending--;
  if (!c->closed) {
    ssize_t off = 0, total = (ssize_t)sizeof RESPONSE - 1;
    while (off < total) {
      ssize_t n = write(c->item.fd, RESPONSE + off, (size_t)(total - off));
      if (n < 0) {
        if (errno == EINTR) continue;
        close_conn(c); /* a blocked or broken socket: the bench never gets here */
        return;
      }
      off += n;
    }
  }
  release(c);
}

int main(int argc, char **argv) {
  if (argc != 2 || atof(argv[1]) < 0) {
    fprintf(stderr, "usage: fixed-delay-server DELAY_MS\n");
    return 2;
  }
  delay_ns = (long)(atof(argv[1]) * 1e6);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  signal(SIGPIPE, SIG_IGN);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 1024) < 0) {
    perror("listen");
    return 1;
  }
  socklen_t alen = sizeof addr;
  getsockname(ls, (struct sockaddr *)&addr, &alen);
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);

  epfd = epoll_create1(EPOLL_CLOEXEC);
  struct item listener = {.kind = LISTENER, .fd = ls};
  add(ls, &listener);
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; i++) {
      struct item *it = events[i].data.ptr;
      if (it->kind == LISTENER) {
        int fd;
        while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn *c = calloc(1, sizeof *c);
          c->item.kind = CONN;
          c->item.fd = fd;
          add(fd, &c->item);
        }
      } else if (it->kind == CONN) {
        on_readable((struct conn *)it);
      } else {
        on_timer(it);
      }
    }
  }
}
