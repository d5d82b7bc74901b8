// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: forward denial events from securityfs to the audit
 * subsystem, one AUDIT_TRUSTED_APP record per event.
 *
 * The record's text is the event line itself, so every field keeps its
 * name and its kernel encoding; the kernel wraps it as
 *   pid=<forwarder> uid=... auid=... ses=... subj=... msg='<event line>'
 * which keeps the sender's identity outside msg='...' and the denied
 * process's identity inside it. We send with libaudit's socket rather than
 * audit_log_user_message(), which would append the forwarder's own exe=,
 * hostname=, addr=, terminal= and res= into the same msg='...'.
 *
 * Lines that were read but not yet delivered stay in the read buffer,
 * which is the pending queue: nothing more is read from the kernel until
 * they are delivered. The kernel never waits for us; it counts what its
 * own buffer cannot hold and reports it as "seq=N lost=M".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libaudit.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "cmd.h"

#define LINE_MAX_LEN	(64 * 1024)	/* longer event lines are discarded */
#define READ_CHUNK	(16 * 1024)
#define TEXT_MAX	8560		/* the kernel's AUDIT_MESSAGE_TEXT_MAX */
#define ACK_TIMEOUT_MS	2000
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000

static volatile sig_atomic_t got_term, got_hup;

struct fwd {
	char *events;		/* path of the events file */
	int efd;		/* events, O_NONBLOCK; we wait in ppoll() */
	int afd;		/* audit netlink socket, -1 when closed */
	bool sink_stdout;	/* EXECMARK_FORWARD_SINK=stdout */
	unsigned int fail_left;	/* EXECMARK_TEST_SINK_FAILURES */
	uint32_t nlseq;
	char *buf;		/* read, not yet delivered */
	size_t len;
	bool discarding;	/* inside an overlong line */
	bool failing;		/* delivery failed; said so once */
	sigset_t waitmask;	/* signal mask while waiting */
};

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

/* Sleep @ms unless a signal arrives; false if we should exit. */
static bool pause_ms(struct fwd *f, unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	ppoll(NULL, 0, &ts, &f->waitmask);
	return !got_term;
}

static int open_events(struct fwd *f)
{
	f->efd = open(f->events, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return f->efd < 0 ? -errno : 0;
}

/* Wait for the kernel's answer to netlink message @seq. */
static int audit_ack(struct fwd *f, uint32_t seq)
{
	uint64_t deadline = now_ns() + ACK_TIMEOUT_MS * 1000000ull;
	struct audit_reply rep;

	for (;;) {
		struct pollfd pfd = { .fd = f->afd, .events = POLLIN };
		uint64_t now = now_ns();
		struct timespec ts;
		int ret;

		if (now >= deadline)
			return -ETIMEDOUT;
		ts.tv_sec = (deadline - now) / 1000000000u;
		ts.tv_nsec = (deadline - now) % 1000000000u;
		ret = ppoll(&pfd, 1, &ts, &f->waitmask);
		if (ret < 0 && errno == EINTR && got_term)
			return -EINTR;
		if (ret <= 0)
			continue;
		ret = audit_get_reply(f->afd, &rep, GET_REPLY_NONBLOCKING, 0);
		if (ret == 0 || ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret < 0)
			return ret;
		if (rep.type == NLMSG_ERROR && rep.nlh->nlmsg_seq == seq)
			return rep.error->error;
	}
}

/* Send one record of @len bytes (plus its NUL) to the kernel's audit. */
static int audit_deliver(struct fwd *f, const char *text, size_t len)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	struct audit_message req;
	ssize_t n;
	int ret;

	if (f->afd < 0) {
		f->afd = audit_open();
		if (f->afd < 0)
			return -errno;
	}
	memset(&req.nlh, 0, sizeof(req.nlh));
	req.nlh.nlmsg_len = NLMSG_LENGTH(len + 1);
	req.nlh.nlmsg_type = AUDIT_TRUSTED_APP;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nlh.nlmsg_seq = ++f->nlseq;
	memcpy(NLMSG_DATA(&req.nlh), text, len + 1);
	do
		n = sendto(f->afd, &req, req.nlh.nlmsg_len, 0,
			   (struct sockaddr *)&addr, sizeof(addr));
	while (n < 0 && errno == EINTR);
	ret = n < 0 ? -errno : audit_ack(f, req.nlh.nlmsg_seq);
	if (ret) {	/* start afresh with a new socket */
		audit_close(f->afd);
		f->afd = -1;
	}
	return ret;
}

static int sink_deliver(struct fwd *f, const char *text)
{
	if (f->fail_left) {
		f->fail_left--;
		return -ECONNREFUSED;
	}
	if (printf("%s\n", text) < 0 || fflush(stdout))
		return -errno;
	return 0;
}

/* Deliver one record, retrying with backoff; false if we should exit. */
static bool deliver(struct fwd *f, const char *text, size_t len)
{
	unsigned int backoff = BACKOFF_MIN_MS;

	for (;;) {
		int err = f->sink_stdout ? sink_deliver(f, text) :
					   audit_deliver(f, text, len);

		if (!err) {
			if (f->failing)
				infomsg("audit delivery resumed");
			f->failing = false;
			return true;
		}
		if (!f->failing)
			warnmsg("cannot deliver to the audit subsystem: %s; retrying",
				strerror(-err));
		f->failing = true;
		if (!pause_ms(f, backoff))
			return false;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
}

static bool is_string_key(const char *tok)
{
	return !strncmp(tok, "comm=", 5) || !strncmp(tok, "exe=", 4) ||
	       !strncmp(tok, "path=", 5);
}

/*
 * Turn one event line into the text of its audit record, or NULL if the
 * line is malformed. Fields pass through unchanged, except that a quoted
 * string containing a single quote, which would end msg='...', is
 * re-encoded in hex as the kernel does for strings with unsafe characters;
 * "seq=N lost=M" becomes "seq=N op=lost lost=M"; and if the record would
 * exceed the kernel's limit, the longest of comm, exe and path is cut and
 * "truncated=KEY" is appended, so that nothing is cut silently.
 */
static char *event_record(const char *line)
{
	char *copy = xstrdup(line), *tok[32], *owned[32], *out, *p, *save;
	size_t ntok = 0, nowned = 0, total, i;
	char truncated[32] = "";

	for (p = copy; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			goto bad;
	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(p, '='), *v;
		size_t vlen;

		if (ntok == ARRAY_SIZE(tok) || !eq || eq == p || !eq[1] ||
		    strspn(p, "abcdefghijklmnopqrstuvwxyz_") != (size_t)(eq - p))
			goto bad;
		v = eq + 1;
		vlen = strlen(v);
		if (v[0] == '"') {
			if (vlen < 2 || v[vlen - 1] != '"' ||
			    memchr(v + 1, '"', vlen - 2))
				goto bad;
			if (memchr(v + 1, '\'', vlen - 2)) {
				char *hex = xmalloc((eq - p) + 1 + 2 * (vlen - 2) + 1);

				memcpy(hex, p, eq - p + 1);
				for (i = 0; i < vlen - 2; i++)
					sprintf(hex + (eq - p) + 1 + 2 * i, "%02X",
						(unsigned char)v[1 + i]);
				p = owned[nowned++] = hex;
			}
		} else if (strpbrk(v, "\"'")) {
			goto bad;
		}
		tok[ntok++] = p;
	}
	if (ntok < 2 || strncmp(tok[0], "seq=", 4) ||
	    strspn(tok[0] + 4, "0123456789") != strlen(tok[0] + 4))
		goto bad;
	if (ntok == 2 && !strncmp(tok[1], "lost=", 5)) {
		out = xasprintf("%s op=lost %s", tok[0], tok[1]);
		goto done;
	}

	for (;;) {
		size_t longest = 0, len, min, cut;

		total = strlen(truncated);
		for (i = 0; i < ntok; i++)
			total += strlen(tok[i]) + 1;
		if (total <= TEXT_MAX)
			break;
		for (i = 1; i < ntok; i++)
			if (is_string_key(tok[i]) &&
			    (!longest || strlen(tok[i]) > strlen(tok[longest])))
				longest = i;
		if (!longest)
			goto bad;
		/* cut to fit, leaving room for " truncated=comm,exe,path" */
		p = strchr(tok[longest], '=') + 1;
		len = strlen(tok[longest]);
		min = p - tok[longest] + (*p == '"' ? 2 : 0);
		cut = total - TEXT_MAX + 24;
		if (len <= min)
			goto bad;
		len = len > min + cut ? len - cut : min;
		if (*p == '"')
			tok[longest][len - 1] = '"';
		else
			len -= (len - (p - tok[longest])) % 2;
		tok[longest][len] = '\0';
		snprintf(truncated + strlen(truncated),
			 sizeof(truncated) - strlen(truncated), "%s%.*s",
			 *truncated ? "," : " truncated=",
			 (int)(p - 1 - tok[longest]), tok[longest]);
	}
	out = xmalloc(total + 1);
	for (p = out, i = 0; i < ntok; i++)
		p += sprintf(p, "%s%s", i ? " " : "", tok[i]);
	strcpy(p, truncated);
done:
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(copy);
	return out;
bad:
	out = NULL;
	goto done;
}

/* Deliver the complete lines in the buffer; false if we should exit. */
static bool deliver_lines(struct fwd *f)
{
	char *start = f->buf, *nl;

	while ((nl = memchr(start, '\n', f->len - (start - f->buf)))) {
		*nl = '\0';
		if (f->discarding) {
			f->discarding = false;
		} else if (nl - start >= LINE_MAX_LEN) {
			warnmsg("event line longer than %d bytes discarded",
				LINE_MAX_LEN);
		} else if (*start) {
			char *text = event_record(start);

			if (!text) {
				char *e = esc(start);

				warnmsg("malformed event discarded: %.200s", e);
				free(e);
			} else if (!deliver(f, text, strlen(text))) {
				free(text);
				*nl = '\n';
				break;
			} else {
				free(text);
			}
		}
		start = nl + 1;
	}
	f->len -= start - f->buf;
	memmove(f->buf, start, f->len);
	if (f->len >= LINE_MAX_LEN) {
		warnmsg("event line longer than %d bytes discarded", LINE_MAX_LEN);
		f->discarding = true;
		f->len = 0;
	}
	return !got_term;
}

/* Close and reopen the events file and the audit socket. */
static bool reopen(struct fwd *f, const char *why)
{
	unsigned int backoff = BACKOFF_MIN_MS;
	int err;

	infomsg("%s: reopening %s", why, f->events);
	if (f->len)
		warnmsg("incomplete event line discarded");
	f->len = 0;
	f->discarding = false;
	close(f->efd);
	if (f->afd >= 0) {
		audit_close(f->afd);
		f->afd = -1;
	}
	while ((err = open_events(f))) {
		warnmsg("%s: %s", f->events, strerror(-err));
		if (!pause_ms(f, backoff))
			return false;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	return true;
}

static const char forward_usage[] =
"usage: execmark forward [--foreground]\n"
"Read the denial events of execmark and write each as an audit record of\n"
"type TRUSTED_APP. Runs as a daemon logging to syslog unless --foreground.\n"
"SIGHUP reopens the events file and the audit socket; SIGTERM stops.\n";

int cmd_forward(int argc, char **argv)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *sink = getenv("EXECMARK_FORWARD_SINK");
	const char *fails = getenv("EXECMARK_TEST_SINK_FAILURES");
	struct fwd f = { .afd = -1 };
	bool foreground = false;
	sigset_t block;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--foreground"))
			foreground = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return print_usage(forward_usage);
		else
			return usage_error(forward_usage, "forward: unknown argument: %s",
					   argv[i]);
	}
	if (sink && strcmp(sink, "stdout"))
		fatal("EXECMARK_FORWARD_SINK: only \"stdout\" is known, not %s", sink);
	f.sink_stdout = sink;
	if (fails && parse_uint(fails, 0, 1000, &f.fail_left))
		fatal("EXECMARK_TEST_SINK_FAILURES: not a number: %s", fails);
	if (!securityfs_active())
		return EXIT_ERROR;

	/* Signals are blocked except while waiting in ppoll(). */
	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &f.waitmask);
	sigdelset(&f.waitmask, SIGHUP);
	sigdelset(&f.waitmask, SIGTERM);
	sigdelset(&f.waitmask, SIGINT);
	signal(SIGPIPE, SIG_IGN);

	f.events = securityfs_path("events");
	err = open_events(&f);
	if (err == -EBUSY)
		fatal("%s: another forwarder is attached", f.events);
	if (err == -EPERM || err == -EACCES)
		fatal("%s: reading the events needs CAP_MAC_ADMIN", f.events);
	if (err)
		fatal("%s: %s", f.events, strerror(-err));
	if (!foreground) {
		if (daemon(0, 0))
			fatal("cannot become a daemon: %s", strerror(errno));
		msg_to_syslog();
	}
	f.buf = xmalloc(LINE_MAX_LEN + READ_CHUNK);

	while (!got_term) {
		struct pollfd pfd = { .fd = f.efd, .events = POLLIN };
		ssize_t n;

		if (got_hup) {
			got_hup = 0;
			if (!reopen(&f, "SIGHUP"))
				break;
		}
		if (!deliver_lines(&f))
			break;
		if (ppoll(&pfd, 1, NULL, &f.waitmask) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll: %s", strerror(errno));
		}
		n = read(f.efd, f.buf + f.len, LINE_MAX_LEN + READ_CHUNK - f.len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (!pause_ms(&f, BACKOFF_MIN_MS) ||
			    !reopen(&f, n ? strerror(errno) : "end of file"))
				break;
			continue;
		}
		f.len += n;
	}
	if (f.len)
		warnmsg("exiting with %zu bytes of events not delivered", f.len);
	close(f.efd);
	if (f.afd >= 0)
		audit_close(f.afd);
	free(f.buf);
	free(f.events);
	return EXIT_OK;
}
