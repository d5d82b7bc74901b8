// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: forward denial events from securityfs to the audit
 * subsystem, one AUDIT_ANOM_EXEC record per event.
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
 *
 * What we read and cannot deliver (we are stopped while auditd is down, a
 * malformed line) is ours to account for: the seq range we hold is kept in
 * the state file (fwdstate.c) after every change, and every range that was
 * never delivered goes to the audit log as "seq=N op=lost lost=M
 * source=forwarder", by us or, after a SIGTERM or SIGKILL, by the next
 * forwarder. And the kernel acknowledges a record, then drops it silently
 * if auditd's socket is full (a new auditd that is still starting, our
 * catch-up after an outage): we watch that socket's queue in
 * /proc/net/netlink and wait while it is filling.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include "fwdstate.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

#define LINE_MAX_LEN	(64 * 1024)	/* longer event lines are discarded */
#define READ_CHUNK	(16 * 1024)
#define ACK_TIMEOUT_MS	2000
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000
#define STATUS_TTL_MS	100		/* see audit_ready() */
#define LATE_NS		1000000000ull	/* late= from a second after the denial */
/*
 * auditd's socket (see audit_flow()): looked at every FLOW_BATCH records;
 * above FLOW_HIGH bytes queued we wait until it is below FLOW_LOW. A record
 * takes about 2.3 KiB of the default 208 KiB receive buffer.
 */
#define FLOW_BATCH	8
#define FLOW_HIGH	(64 * 1024)
#define FLOW_LOW	(16 * 1024)
#define FLOW_POLL_MS	5
#define NETLINK_PROC	"/proc/net/netlink"

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
	/* What we hold: seq next_seq..last_seq were read, not delivered. */
	struct fwd_state state;
	bool have_next;		/* next_seq is known */
	uint64_t next_seq;	/* of the first line in buf */
	uint64_t last_seq;	/* the last event in buf */
	uint64_t line_last;	/* the last in a line whose seq is known */
	/* auditd's socket (audit_flow()) */
	unsigned int flow_sent;	/* records since we looked */
	bool flow_off;		/* cannot be watched: said once */
	pid_t drops_pid;	/* the auditd whose drops we know */
	unsigned long drops;	/* its socket's drop counter then */
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

/*
 * The receive queue (bytes) and drop counter of the audit netlink socket
 * of @portid, from /proc/net/netlink: 0, or -errno (-ENOENT: none).
 */
static int audit_sock_info(pid_t portid, unsigned long *rmem,
			   unsigned long *drops)
{
	FILE *fp = fopen(NETLINK_PROC, "re");
	char line[512];
	int ret = -ENOENT;

	if (!fp)
		return -errno;
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	while (fgets(line, sizeof(line), fp)) {
		unsigned long pid, r, d;
		int eth;

		if (sscanf(line, "%*s %d %lu %*x %lu %*d %*d %*d %lu", &eth, &pid,
			   &r, &d) == 4 && eth == NETLINK_AUDIT &&
		    pid == (unsigned long)portid) {
			*rmem = r;
			*drops = d;
			ret = 0;
			break;
		}
	}
	fclose(fp);
	return ret;
}

/*
 * Before sending: does auditd's socket have room? The kernel acknowledges
 * our record when it has queued it; its kauditd thread then passes it to
 * auditd's socket without waiting, and drops it (to the kernel log only,
 * counted nowhere) if the socket is full. A new auditd reads nothing until
 * it has started, and our catch-up after an outage comes at once; so every
 * FLOW_BATCH records we look at the socket and wait while it is above
 * FLOW_HIGH. A rise of its drop counter is reported and counted in the
 * state file (those records may be anybody's). Return: 0, -ESRCH if auditd
 * went away meanwhile, -EINTR to exit.
 */
static int audit_flow(struct fwd *f)
{
	pid_t pid = f->auditd_pid;
	unsigned long rmem, drops;
	int ret;

	if (f->no_status || f->flow_off || !pid || ++f->flow_sent < FLOW_BATCH)
		return 0;
	f->flow_sent = 0;
	for (;;) {
		ret = audit_sock_info(pid, &rmem, &drops);
		if (ret) {
			if (ret != -ENOENT) {
				warnmsg("%s: %s: cannot see whether auditd keeps up",
					NETLINK_PROC, strerror(-ret));
				f->flow_off = true;
			}
			return 0;
		}
		if (f->drops_pid == pid && drops > f->drops) {
			warnmsg("auditd's socket overflowed: the kernel dropped %lu audit records",
				drops - f->drops);
			f->state.dropped += drops - f->drops;
			fwd_state_write(&f->state);
		}
		f->drops_pid = pid;
		f->drops = drops;
		if (rmem <= FLOW_HIGH)
			return 0;
		do {
			if (!pause_ms(f, FLOW_POLL_MS))
				return -EINTR;
			if (!auditd_running(f, pid))
				return -ESRCH;
			ret = audit_sock_info(pid, &rmem, &drops);
		} while (!ret && rmem > FLOW_LOW);
	}
}

/*
 * Send one record of @len bytes (plus its NUL) to the kernel's audit, as
 * type ANOM_EXEC ("execution of file", 2112): of the user-space types, the
 * one whose records the audit tools interpret (ausearch -i, auparse's
 * normalizer: "attempted-execution-of-forbidden-program", the cmd= field
 * its object) and count (aureport --summary, --anomaly). See the admin
 * guide, "Searching the denials".
 */
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
	if (!ret)
		ret = audit_flow(f);
	if (!ret) {
		seq = audit_send_msg(f, AUDIT_ANOM_EXEC, NLM_F_ACK, text, len + 1);
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

/*
 * Deliver one record, retrying with backoff; false if we should exit. The
 * record is @text, or if @event is not NULL, that event line's record,
 * made again for each attempt (its late= says when it was sent).
 */
static bool deliver(struct fwd *f, const char *text, const char *event)
{
	unsigned int backoff = BACKOFF_MIN_MS;

	for (;;) {
		char *rec = event ? event_record(event, realtime_ns()) : NULL;
		const char *t = rec ? rec : text;
		int err = f->sink_stdout ? sink_deliver(f, t) :
					   audit_deliver(f, t, strlen(t));

		free(rec);
		if (err == -EINTR && got_term)
			return false;
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
	       !strncmp(tok, "path=", 5) || !strncmp(tok, "cmd=", 4);
}

/*
 * A string field (comm, exe, path) as the kernel encoded it, "quoted" or
 * in hex, fit for the record's msg='...': a quoted string holding a single
 * quote, which would end msg='...', or an '=', which ausearch's own parser
 * (it looks for "exe=", "res=", ... anywhere in the text) would take for
 * the start of a field, takes the kernel's other form, hex, from libaudit's
 * encoder (the one the audit tools decode). Return: the field in hex, to
 * free, or NULL if @tok (whose '=' is @eq) is fit as it is.
 */
static char *msg_field(const char *tok, const char *eq)
{
	const char *v = eq + 1;
	size_t keylen = eq - tok, vlen = strlen(v);
	char *hex;

	if (v[0] != '"' || (!memchr(v + 1, '\'', vlen - 2) &&
			    !memchr(v + 1, '=', vlen - 2)))
		return NULL;
	hex = xmalloc(keylen + 1 + 2 * (vlen - 2) + 1);
	memcpy(hex, tok, keylen + 1);
	audit_encode_value(hex + keylen + 1, v + 1, vlen - 2);
	return hex;
}

/*
 * "late=S.mmm" when the record is written LATE_NS or more after the denial
 * that time=S.NNNNNNNNN (@v) says, at @now_ns; NULL if not, or if @v is not
 * such a time.
 */
static char *late_field(const char *v, uint64_t now_ns)
{
	uint64_t sec = 0, t;
	size_t n = strspn(v, "0123456789");

	if (!now_ns || !n || n > 12 || v[n] != '.' ||
	    strlen(v + n + 1) != 9 || strspn(v + n + 1, "0123456789") != 9)
		return NULL;
	for (size_t i = 0; i < n; i++)
		sec = sec * 10 + (v[i] - '0');
	t = sec * 1000000000ull + strtoull(v + n + 1, NULL, 10);
	if (now_ns < t || now_ns - t < LATE_NS)
		return NULL;
	t = (now_ns - t) / 1000000;	/* ms */
	return xasprintf("late=%" PRIu64 ".%03u", t / 1000, (unsigned int)(t % 1000));
}

/*
 * Turn one event line into the text of its audit record, or NULL if the
 * line is malformed: anything but printable ASCII, a field that is not
 * key=value, a key given twice, a quote in a value other than the "quoted"
 * form of comm, exe and path, or one of those neither quoted, "?" nor hex
 * (which ausearch -i would misread).
 *
 * The fields pass through, in order and as the kernel encoded them, except
 * that: a quoted string that msg_field() names is hex; "mode" is called
 * "execmark_mode" (auparse reads a "mode" as a file's mode); "uid" and
 * "auid", the denied process's, are "ouid" and "oauid" (as in OBJ_PID
 * records: auditd's ENRICHED log format names the ids of a record, and
 * auparse gives every field called "uid" the name of the first, the
 * header's, the forwarder's); and at the end
 * come "cmd=" (path again: the object of an ANOM_EXEC record for auparse,
 * ausearch --format text), "late=" when written a second or more after
 * the denial (late_field(), @now_ns; 0: never), and "res=failed" for an
 * enforce mode denial, "res=success" for a permissive one (last, where
 * ausearch -sv looks for it). "seq=N lost=M" becomes "seq=N op=lost
 * lost=M". If the record would exceed AUDIT_MESSAGE_TEXT_MAX, the longest
 * of comm, exe, path and cmd is cut and "truncated=KEY" comes before
 * "res=", so that nothing is cut silently.
 */
char *event_record(const char *line, uint64_t now_ns)
{
	char *copy = xstrdup(line), *tok[36], *owned[36], *out, *p, *save;
	size_t ntok = 0, nowned = 0, total, i;
	char truncated[40] = "";
	const char *res = NULL, *path = NULL, *time = NULL;

	for (p = copy; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			goto bad;
	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(p, '='), *v;
		size_t vlen;

		if (ntok == 32 || !eq || eq == p || !eq[1] ||
		    strspn(p, "abcdefghijklmnopqrstuvwxyz_") != (size_t)(eq - p))
			goto bad;
		for (i = 0; i < ntok; i++)	/* each key once, as the kernel writes */
			if (!strncmp(tok[i], p, eq - p + 1))
				goto bad;
		v = eq + 1;
		vlen = strlen(v);
		if (v[0] == '"') {	/* only the kernel's encoded strings */
			if (!is_string_key(p) || !strncmp(p, "cmd=", 4) ||
			    vlen < 2 || v[vlen - 1] != '"' ||
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
		if (!strncmp(p, "mode=", 5)) {
			if (!strcmp(v, "enforce"))
				res = "res=failed";
			else if (!strcmp(v, "permissive"))
				res = "res=success";
			p = owned[nowned++] = xasprintf("execmark_%s", p);
		} else if (!strncmp(p, "uid=", 4) || !strncmp(p, "auid=", 5)) {
			p = owned[nowned++] = xasprintf("o%s", p);
		} else if (!strncmp(p, "execmark_mode=", 14) ||
			   !strncmp(p, "ouid=", 5) || !strncmp(p, "oauid=", 6) ||
			   !strncmp(p, "late=", 5) || !strncmp(p, "res=", 4) ||
			   !strncmp(p, "truncated=", 10) || !strncmp(p, "cmd=", 4)) {
			goto bad;	/* ours */
		} else if (!strncmp(p, "path=", 5)) {
			path = p + 5;
		} else if (!strncmp(p, "time=", 5)) {
			time = p + 5;
		}
		tok[ntok++] = p;
	}
	if (ntok < 2 || strncmp(tok[0], "seq=", 4) ||
	    strspn(tok[0] + 4, "0123456789") != strlen(tok[0] + 4))
		goto bad;
	if (ntok == 2 && !strncmp(tok[1], "lost=", 5)) {
		/* a count, and a record within the limit like any other */
		if (strspn(tok[1] + 5, "0123456789") != strlen(tok[1] + 5) ||
		    strlen(tok[0]) + strlen(" op=lost ") + strlen(tok[1]) >=
		    AUDIT_MESSAGE_TEXT_MAX)
			goto bad;
		out = xasprintf("%s op=lost %s", tok[0], tok[1]);
		goto done;
	}
	if (path)
		tok[ntok++] = owned[nowned++] = xasprintf("cmd=%s", path);
	if (time && (p = late_field(time, now_ns)))
		tok[ntok++] = owned[nowned++] = p;

	for (;;) {
		size_t longest = 0, len, min, cut;

		total = strlen(truncated) + (res ? strlen(res) + 1 : 0);
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
		/*
		 * Cut to fit, leaving room for " truncated=comm,exe,path,cmd"
		 * (each key is named once: a cut field is cut to fit at once,
		 * unless it is cut to nothing).
		 */
		p = strchr(tok[longest], '=') + 1;
		len = strlen(tok[longest]);
		min = p - tok[longest] + (*p == '"' ? 2 : 0);
		cut = total - AUDIT_MESSAGE_TEXT_MAX + 28;
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
	p += sprintf(p, "%s", truncated);
	if (res)
		sprintf(p, " %s", res);
done:
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(copy);
	return out;
bad:
	out = NULL;
	goto done;
}

/*
 * The seq of the event line at @p (@len bytes, possibly a partial line),
 * and in @last the last seq it stands for ("seq=N lost=M": N+M-1): true,
 * or false if it does not start with a complete "seq=N ".
 */
static bool line_seq(const char *p, size_t len, uint64_t *seq, uint64_t *last)
{
	uint64_t n = 0, m = 0;
	size_t i = 4, j;

	if (len < 6 || memcmp(p, "seq=", 4))
		return false;
	for (; i < len && p[i] >= '0' && p[i] <= '9' && i < 24; i++)
		n = n * 10 + (p[i] - '0');
	if (i == 4 || i >= len || p[i] != ' ')
		return false;
	*seq = *last = n;
	if (len - i > 6 && !memcmp(p + i, " lost=", 6)) {
		for (j = i + 6; j < len && p[j] >= '0' && p[j] <= '9' && j < i + 26; j++)
			m = m * 10 + (p[j] - '0');
		/* A count the kernel could have lost (not a malformed line's). */
		if (m && m <= UINT32_MAX && (j == len || p[j] == '\n'))
			*last = n + m - 1;
	}
	return true;
}

/* The state file says what we hold: next_seq..last_seq, or nothing. */
static void note_pending(struct fwd *f)
{
	bool has = f->have_next && f->len && f->next_seq <= f->last_seq;

	if (has == f->state.has_pending && (!has ||
	    (f->state.pending.first == f->next_seq &&
	     f->state.pending.last == f->last_seq)))
		return;
	f->state.has_pending = has;
	f->state.pending = (struct seq_range){ f->next_seq, f->last_seq };
	fwd_state_write(&f->state);
}

/* After a read of @n bytes to the end of buf: what do we hold now? */
static void note_read(struct fwd *f, size_t n)
{
	char *end = f->buf + f->len, *p = f->buf + f->len - n, *nl;
	uint64_t seq, last;

	bool unknown_tail = false;

	if (!f->have_next) {
		if (!line_seq(f->buf, f->len, &seq, &last))
			return;
		f->next_seq = f->line_last = seq;
		f->have_next = true;
	}
	/* Only the lines that this read completed or began, from the last. */
	while (p > f->buf && p[-1] != '\n')
		p--;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (line_seq(p, nl - p, &seq, &last)) {
			if (last > f->line_last)
				f->line_last = last;
		} else if (nl == end) {	/* a partial line: the next event */
			unknown_tail = true;
		}
	}
	f->last_seq = f->line_last + unknown_tail;
	note_pending(f);
}

/* The line at @p (@len bytes) is done with: delivered, or lost if not @ok. */
static void note_done(struct fwd *f, const char *p, size_t len, bool ok)
{
	uint64_t seq, last;

	if (!line_seq(p, len, &seq, &last))
		return;
	if (!ok)
		fwd_state_lose(&f->state, seq, last);
	f->next_seq = last + 1;
}

/* Deliver the op=lost records that the state file still owes. */
static bool deliver_unreported(struct fwd *f)
{
	while (f->state.nunreported) {
		struct seq_range *r = &f->state.unreported[0];
		char *text = xasprintf("seq=%" PRIu64 " op=lost lost=%" PRIu64
				       " source=forwarder", r->first,
				       r->last - r->first + 1);
		bool ok = deliver(f, text, NULL);

		free(text);
		if (!ok)
			return false;
		memmove(r, r + 1, --f->state.nunreported * sizeof(*r));
		fwd_state_write(&f->state);
	}
	return true;
}

/* Deliver the complete lines in the buffer; false if we should exit. */
static bool deliver_lines(struct fwd *f)
{
	char *start = f->buf, *nl;

	if (!deliver_unreported(f))
		return false;
	while ((nl = memchr(start, '\n', f->len - (start - f->buf)))) {
		*nl = '\0';
		if (f->discarding) {
			f->discarding = false;
		} else if (nl - start >= LINE_MAX_LEN) {
			warnmsg("event line longer than %d bytes discarded",
				LINE_MAX_LEN);
			note_done(f, start, nl - start, false);
		} else if (*start) {
			char *text = event_record(start, realtime_ns());

			if (!text) {
				char *e = esc(start);

				warnmsg("malformed event discarded: %.200s", e);
				free(e);
				note_done(f, start, nl - start, false);
			} else if (!deliver(f, text, start)) {
				free(text);
				*nl = '\n';
				break;
			} else {
				free(text);
				note_done(f, start, nl - start, true);
			}
		}
		start = nl + 1;
		if (!deliver_unreported(f)) {
			f->len -= start - f->buf;
			memmove(f->buf, start, f->len);
			note_pending(f);
			return false;
		}
	}
	f->len -= start - f->buf;
	memmove(f->buf, start, f->len);
	if (f->len >= LINE_MAX_LEN) {
		warnmsg("event line longer than %d bytes discarded", LINE_MAX_LEN);
		note_done(f, f->buf, f->len, false);
		f->discarding = true;
		f->len = 0;
	}
	note_pending(f);
	return !got_term;
}

/* Close and reopen the events file and the audit socket. */
static bool reopen(struct fwd *f, const char *why)
{
	unsigned int backoff = BACKOFF_MIN_MS;
	int err;

	infomsg("%s: reopening %s", why, f->events);
	if (f->len) {
		warnmsg("incomplete event line discarded");
		note_done(f, f->buf, f->len, false);
	}
	f->len = 0;
	note_pending(f);
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
"usage: execmark forward [-q|-v] [--foreground]\n"
"Read the denial events of execmark and write each as an audit record of\n"
"type ANOM_EXEC. Runs as a daemon logging to syslog unless --foreground.\n"
"SIGHUP reopens the events file and the audit socket; SIGTERM stops.\n"
"      --foreground  stay in the foreground, messages on standard error\n"
"  -q, --quiet       log only warnings and errors, no notices\n"
"  -v, --verbose     also log where events are read from and sent to\n"
SHARED_HELP;

static const char *forward_set(void *ctx, int key, const char *arg)
{
	(void)key;
	(void)arg;
	*(bool *)ctx = true;
	return NULL;
}

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

	static const struct verb_opt opts[] = {
		{ "foreground", VERB_OPT_LONG, false },
		{ NULL, 0, false },
	};
	const struct verb_opts x = { opts, forward_set, &foreground };

	if (parse_opts(argc, argv, forward_usage, &x, 0, 0, &err) < 0)
		return err;
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
	err = fwd_state_open(&f.state);
	if (err)
		warnmsg("%s: %s: undelivered events cannot be left to the next forwarder",
			fwd_state_path(), strerror(-err));
	verbosemsg("forwarding the events of %s to %s; undelivered events recorded in %s",
		   f.events, f.sink_stdout ? "standard output" : "the audit subsystem",
		   fwd_state_path());

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
		note_read(&f, n);
	}
	if (f.state.has_pending) {
		struct seq_range r = f.state.pending;

		warnmsg("exiting with events seq %" PRIu64 "-%" PRIu64 " not delivered; "
			"they are reported as lost by the next forwarder", r.first, r.last);
		f.state.has_pending = false;
		fwd_state_lose(&f.state, r.first, r.last);
	} else if (f.len) {
		warnmsg("exiting with %zu bytes of events not delivered", f.len);
	}
	if (f.state.fd >= 0)
		close(f.state.fd);
	close(f.efd);
	if (f.afd >= 0)
		audit_close(f.afd);
	if (f.auditd_pidfd >= 0)
		close(f.auditd_pidfd);
	free(f.buf);
	free(f.events);
	return EXIT_OK;
}
