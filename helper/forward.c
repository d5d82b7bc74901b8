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
#include <sys/syscall.h>

#include "cmd.h"
#include "forward.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

#define LINE_MAX_LEN	(64 * 1024)	/* longer event lines are discarded */
#define READ_CHUNK	(16 * 1024)
#define ACK_TIMEOUT_MS	2000
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000
#define STATUS_TTL_MS	100		/* see audit_ready() */

/*
 * The kernel keeps at most AUDIT_MESSAGE_TEXT_MAX bytes of a user record's
 * text (<linux/audit.h>); libaudit's netlink message holds them.
 */
_Static_assert(AUDIT_MESSAGE_TEXT_MAX + 1 <= MAX_AUDIT_MESSAGE_LENGTH,
	       "a record's text does not fit in struct audit_message");

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
	bool no_status;		/* AUDIT_GET not allowed: cannot check auditd */
	pid_t auditd_pid;	/* the auditd last named by the kernel */
	int auditd_pidfd;	/* its pidfd, or -1 */
	int auditd_pidfd_err;	/* why there is none */
	uint64_t status_until;	/* ask the kernel again after this */
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
	f->efd = securityfs_open("events", O_RDONLY | O_NONBLOCK);
	return f->efd < 0 ? f->efd : 0;
}

/*
 * Wait for the kernel's answer to netlink message @seq: its error, or, when
 * @type is not NLMSG_ERROR, a message of @type (then in @rep).
 */
static int audit_reply(struct fwd *f, uint32_t seq, int type,
		       struct audit_reply *rep)
{
	uint64_t deadline = now_ns() + ACK_TIMEOUT_MS * 1000000ull;

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
		ret = audit_get_reply(f->afd, rep, GET_REPLY_NONBLOCKING, 0);
		if (ret == 0 || ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret < 0)
			return ret;
		if (rep->nlh->nlmsg_seq != seq)
			continue;
		if (rep->type == NLMSG_ERROR &&
		    (rep->error->error || type == NLMSG_ERROR))
			return rep->error->error;
		if (rep->type == type)
			return 0;
	}
}

/* Send one netlink message; its sequence number, or -errno. */
static int64_t audit_send_msg(struct fwd *f, int type, uint16_t flags,
			      const void *data, size_t len)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	struct audit_message req;
	ssize_t n;

	if (len > sizeof(req.data))
		return -EMSGSIZE;
	memset(&req.nlh, 0, sizeof(req.nlh));
	req.nlh.nlmsg_len = NLMSG_LENGTH(len);
	req.nlh.nlmsg_type = type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	req.nlh.nlmsg_seq = ++f->nlseq;
	if (len)
		memcpy(NLMSG_DATA(&req.nlh), data, len);
	do
		n = sendto(f->afd, &req, req.nlh.nlmsg_len, 0,
			   (struct sockaddr *)&addr, sizeof(addr));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -(int64_t)errno : (int64_t)req.nlh.nlmsg_seq;
}

/*
 * Is the auditd that the kernel names still running? auditd (3.0.9 at
 * least) can exit on SIGTERM without unregistering; the kernel notices
 * only when sending it a record fails, and drops that record. The kernel
 * holds a reference to auditd's struct pid, so its number is not reused
 * while registered.
 */
static bool auditd_running(struct fwd *f, pid_t pid)
{
	struct pollfd pfd;

	if (pid != f->auditd_pid) {
		if (f->auditd_pidfd >= 0)
			close(f->auditd_pidfd);
		f->auditd_pid = pid;
		f->auditd_pidfd = syscall(SYS_pidfd_open, pid, 0);
		f->auditd_pidfd_err = f->auditd_pidfd < 0 ? errno : 0;
	}
	if (f->auditd_pidfd < 0)	/* no pidfd_open(): assume it runs */
		return f->auditd_pidfd_err != ESRCH;
	pfd = (struct pollfd){ .fd = f->auditd_pidfd, .events = POLLIN };
	return poll(&pfd, 1, 0) == 0;
}

/*
 * Is there an auditd to take our records? The kernel acknowledges a user
 * record as soon as it has queued it, but while no auditd is registered
 * it only prints the record to the kernel log (ratelimited) and drops it,
 * without counting it as lost (unless booted with audit=1, which keeps up
 * to backlog_limit records for the next auditd); and while auditing is
 * disabled it drops user records silently. So we ask first (AUDIT_GET,
 * which needs CAP_AUDIT_CONTROL), and treat "no auditd" and "disabled" as
 * delivery failures: the record stays ours and the kernel's ring accounts
 * for what it cannot hold meanwhile. We ask at most every STATUS_TTL_MS
 * and check on every record that the auditd named then still runs. Lost
 * all the same: a record sent just before auditd stops (with auditd), and
 * those sent in the STATUS_TTL_MS after auditing is disabled or auditd
 * unregisters but keeps running.
 */
static int audit_ready(struct fwd *f)
{
	struct audit_reply rep;
	int64_t seq;
	int ret;

	if (f->no_status)
		return 0;
	/* Between two questions, only whether that auditd still runs. */
	if (f->auditd_pid && now_ns() < f->status_until)
		return auditd_running(f, f->auditd_pid) ? 0 : -ESRCH;
	seq = audit_send_msg(f, AUDIT_GET, 0, NULL, 0);
	if (seq < 0)
		return seq;
	ret = audit_reply(f, seq, AUDIT_GET, &rep);
	if (ret == -EPERM || ret == -EACCES) {
		warnmsg("cannot ask the kernel whether auditd runs (needs "
			"CAP_AUDIT_CONTROL in the initial pid namespace): "
			"records sent while auditd is down will be lost");
		f->no_status = true;
		return 0;
	}
	if (ret)
		return ret;
	if (!rep.status->pid || !auditd_running(f, rep.status->pid))
		return -ESRCH;
	if (!rep.status->enabled)
		return -ENOLINK;
	f->status_until = now_ns() + STATUS_TTL_MS * 1000000ull;
	return 0;
}

/* Send one record of @len bytes (plus its NUL) to the kernel's audit. */
static int audit_deliver(struct fwd *f, const char *text, size_t len)
{
	struct audit_reply rep;
	int64_t seq;
	int ret;

	if (f->afd < 0) {
		f->afd = audit_open();
		if (f->afd < 0)
			return -errno;
	}
	ret = audit_ready(f);
	if (!ret) {
		seq = audit_send_msg(f, AUDIT_TRUSTED_APP, NLM_F_ACK, text, len + 1);
		ret = seq < 0 ? seq : audit_reply(f, seq, NLMSG_ERROR, &rep);
	}
	if (ret) {	/* start afresh with a new socket, and ask again */
		audit_close(f->afd);
		f->afd = -1;
		f->status_until = 0;
	}
	return ret;
}

static const char *deliver_strerror(int err)
{
	if (err == -ESRCH)
		return "auditd is not running";
	if (err == -ENOLINK)
		return "auditing is disabled";
	return strerror(-err);
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
				deliver_strerror(err));
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
 * A string field (comm, exe, path) as the kernel encoded it, "quoted" or
 * in hex, fit for the record's msg='...': a quoted string holding a single
 * quote, which would end msg='...', takes the kernel's other form, hex,
 * from libaudit's encoder (the one the audit tools decode). Return: the
 * field in hex, to free, or NULL if @tok (whose '=' is @eq) is fit as it is.
 */
static char *msg_field(const char *tok, const char *eq)
{
	const char *v = eq + 1;
	size_t keylen = eq - tok, vlen = strlen(v);
	char *hex;

	if (v[0] != '"' || !memchr(v + 1, '\'', vlen - 2))
		return NULL;
	hex = xmalloc(keylen + 1 + 2 * (vlen - 2) + 1);
	memcpy(hex, tok, keylen + 1);
	audit_encode_value(hex + keylen + 1, v + 1, vlen - 2);
	return hex;
}

/*
 * Turn one event line into the text of its audit record, or NULL if the
 * line is malformed: anything but printable ASCII, a field that is not
 * key=value, a quote in a value other than the "quoted" form of comm, exe
 * and path, or one of those neither quoted, "?" nor hex (which ausearch -i
 * would misread). Fields pass through as the kernel encoded them,
 * except for msg_field()'s; "seq=N lost=M" becomes "seq=N op=lost
 * lost=M"; and if the record would exceed AUDIT_MESSAGE_TEXT_MAX, the
 * longest of comm, exe and path is cut and "truncated=KEY" is appended, so
 * that nothing is cut silently.
 */
char *event_record(const char *line)
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
		if (v[0] == '"') {	/* only the kernel's encoded strings */
			if (!is_string_key(p) || vlen < 2 || v[vlen - 1] != '"' ||
			    memchr(v + 1, '"', vlen - 2))
				goto bad;
			v = msg_field(p, eq);
			if (v)
				p = owned[nowned++] = v;
		} else if (strpbrk(v, "\"'")) {
			goto bad;
		} else if (is_string_key(p) && strcmp(v, "?") &&
			   (vlen % 2 || strspn(v, "0123456789ABCDEFabcdef") != vlen)) {
			goto bad;	/* ausearch -i would decode it as hex */
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
		if (total <= AUDIT_MESSAGE_TEXT_MAX)
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
		cut = total - AUDIT_MESSAGE_TEXT_MAX + 24;
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
	struct fwd f = { .afd = -1, .auditd_pidfd = -1 };
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
	if (f.auditd_pidfd >= 0)
		close(f.auditd_pidfd);
	free(f.buf);
	free(f.events);
	return EXIT_OK;
}
