// SPDX-License-Identifier: GPL-2.0
/*
 * execmark-python: CPython (libpython3.11) that asks the kernel before it
 * runs a file.
 *
 * Every file CPython reads as code goes through the open_code hook below:
 * it opens the file once, requires a regular file, asks the kernel with
 * execveat(fd, "", ..., AT_EMPTY_PATH | AT_EXECVE_CHECK) and hands Python
 * that same descriptor, so the bytes run are the bytes checked. Code that
 * cannot be checked (-c, a pipe or terminal on standard input, the
 * interactive prompt, PYTHONSTARTUP, the debuggers) is refused by an audit
 * hook or before initialisation, and each refusal is logged. The main
 * script is read from the checked descriptor, never reopened by path.
 *
 * See Documentation/python.rst.
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Linux 6.14 UAPI; Debian bookworm's headers predate it. */
#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK 0x10000
#endif

#define PROG "execmark-python"
#define EXIT_REFUSED 126

/* One line to standard error and one to syslog (authpriv). */
static void logmsg(int prio, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (prio <= LOG_WARNING)
		fprintf(stderr, PROG ": %s\n", buf);
	syslog(LOG_AUTHPRIV | prio, "%s (uid %u)", buf, (unsigned int)getuid());
}

/*
 * Ask the kernel whether fd may be run as code. name is only argv[0] of
 * the check. Return: 0 or an errno value.
 */
static int check_fd(int fd, const char *name)
{
	char *argv[] = { (char *)name, NULL };
	char *envp[] = { NULL };
	long r;

	do
		r = syscall(SYS_execveat, fd, "", argv, envp,
			    AT_EMPTY_PATH | AT_EXECVE_CHECK);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	return r < 0 && errno ? errno : EACCES;
}

/*
 * A kernel without AT_EXECVE_CHECK rejects the unknown flag (EINVAL)
 * before it looks at the descriptor; one that has it fails on fd -1
 * (EBADF). Anything else: unknown, so not supported.
 */
static int kernel_has_check(void)
{
	return check_fd(-1, PROG) == EBADF;
}

/* Open path once and check it. Return: 0 with *fdp set, or an errno value. */
static int open_checked(const char *path, int *fdp)
{
	struct stat st;
	int fd, fl, err;

	/* O_NONBLOCK: a FIFO must not hang us before it is refused. */
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0) {
		err = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = EACCES;
		goto fail;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		err = errno;
		goto fail;
	}
	err = check_fd(fd, path);
	if (err)
		goto fail;
	*fdp = fd;
	return 0;
fail:
	close(fd);
	return err;
}

/* Raise OSError(err, ..., path): PermissionError for EACCES and EPERM. */
static void raise_refused(int err, PyObject *path)
{
	PyObject *exc;

	exc = PyObject_CallFunction(PyExc_OSError, "isO", err,
				    err == EINVAL ? "kernel lacks AT_EXECVE_CHECK" :
				    strerror(err), path);
	if (exc) {
		PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
		Py_DECREF(exc);
	}
}

/* PyFile_SetOpenCodeHook: io.open_code(path) for every file run as code. */
static PyObject *open_code_hook(PyObject *path, void *unused)
{
	PyObject *bytes = NULL, *io, *file = NULL;
	const char *p;
	int fd = -1, err;

	(void)unused;
	if (!PyUnicode_Check(path)) {
		PyErr_SetString(PyExc_TypeError, "open_code: path must be str");
		return NULL;
	}
	if (!PyUnicode_FSConverter(path, &bytes))
		return NULL;
	p = PyBytes_AS_STRING(bytes);
	Py_BEGIN_ALLOW_THREADS
	err = open_checked(p, &fd);
	Py_END_ALLOW_THREADS
	if (err) {
		/* A refused .pyc is normal (the .py is used): not on stderr. */
		logmsg(LOG_NOTICE, "refused %s: %s", p, strerror(err));
		raise_refused(err, path);
		goto out;
	}
	io = PyImport_ImportModule("_io");
	if (io) {
		file = PyObject_CallMethod(io, "FileIO", "isi", fd, "rb", 1);
		Py_DECREF(io);
	}
	if (!file)
		close(fd);	/* FileIO did not take it */
out:
	Py_DECREF(bytes);
	return file;
}

/* Audit hook: refuse what cannot be checked. Return -1 with an exception. */
static int refuse(const char *what, const char *why)
{
	logmsg(LOG_WARNING, "refused %s: %s", what, why);
	PyErr_Format(PyExc_PermissionError, PROG ": refused %s: %s", what, why);
	return -1;
}

/*
 * -m targets (and their submodules) that run code they did not get from
 * open_code: interactive consoles, and in Python 3.11 the profilers, trace
 * and pdb, which read their script with open(); pickle loads code-bearing
 * data.
 */
static const char *const denied_modules[] = {
	"asyncio", "cProfile", "code", "doctest", "idlelib", "pdb", "pickle",
	"profile", "sqlite3", "timeit", "trace", NULL
};

static int denied_module(const char *name)
{
	for (const char *const *d = denied_modules; *d; d++) {
		size_t n = strlen(*d);

		if (!strncmp(name, *d, n) && (name[n] == '\0' || name[n] == '.'))
			return 1;
	}
	return 0;
}

static int audit_hook(const char *event, PyObject *args, void *unused)
{
	(void)unused;
	if (strncmp(event, "cpython.run_", 12) == 0) {
		const char *kind = event + 12;

		if (!strcmp(kind, "command"))
			return refuse("-c", "code from the command line cannot be checked");
		if (!strcmp(kind, "startup"))
			return refuse("PYTHONSTARTUP", "the startup file is not checked");
		if (!strcmp(kind, "interactivehook"))
			return refuse("the interactive prompt", "typed code cannot be checked");
		if (!strcmp(kind, "stdin")) {
			struct stat st;
			int err;

			if (fstat(0, &st) < 0 || !S_ISREG(st.st_mode))
				return refuse("standard input",
					      "not a regular file: code from a pipe or terminal cannot be checked");
			err = check_fd(0, "<stdin>");
			if (err) {
				logmsg(LOG_WARNING, "refused standard input: %s", strerror(err));
				errno = err;
				PyErr_SetFromErrnoWithFilename(PyExc_OSError, "<stdin>");
				return -1;
			}
			return 0;
		}
		if (!strcmp(kind, "module")) {
			PyObject *mod = PyTuple_Check(args) && PyTuple_GET_SIZE(args) ?
					PyTuple_GET_ITEM(args, 0) : NULL;
			const char *name = mod && PyUnicode_Check(mod) ?
					   PyUnicode_AsUTF8(mod) : NULL;

			if (!name)
				return refuse("-m", "no module name");
			if (denied_module(name)) {
				char what[256];

				snprintf(what, sizeof(what), "-m %s", name);
				return refuse(what, "it runs code that is not checked");
			}
		}
		return 0;	/* run_file, run_module: their files are checked */
	}
	if (!strcmp(event, "builtins.breakpoint"))
		return refuse("breakpoint()", "the debugger runs typed code");
	if (!strcmp(event, "pdb.Pdb"))
		return refuse("pdb", "the debugger runs typed code");
	return 0;
}

/*
 * Run after initialisation, before site: send sourceless .pyc files
 * through open_code too (CPython's SourcelessFileLoader reads them with
 * FileIO, CVE-2026-2297), then run site if it was asked for.
 */
static const char setup_py[] =
	"import sys, _io\n"
	"def get_data(self, path):\n"
	"    with _io.open_code(str(path)) as f:\n"
	"        return f.read()\n"
	"sys.modules['_frozen_importlib_external'].SourcelessFileLoader.get_data = get_data\n"
	"del get_data\n"
	"if want_site:\n"
	"    import site\n"
	"    site.main()\n";

/*
 * The main script, read once from the descriptor open_code checked, and
 * compiled; main() runs the code. A directory or zip file is run here as
 * python3 runs it, through runpy, whose importers read every file through
 * open_code.
 */
static const char run_py[] =
	"def load(path, safe_path):\n"
	"    import sys, os, _io, marshal\n"
	"    ext = sys.modules['_frozen_importlib_external']\n"
	"    MAGIC_NUMBER = ext.MAGIC_NUMBER\n"
	"    try:\n"
	"        if os.path.isdir(path):\n"
	"            data = None\n"
	"        else:\n"
	"            with _io.open_code(path) as f:\n"
	"                data = f.read()\n"
	"    except OSError as e:\n"
	"        print(f\"execmark-python: can't open file {path!r}: [Errno {e.errno}] {e.strerror}\", file=sys.stderr)\n"
	"        raise SystemExit(2)\n"
	"    if data is None or b'PK\\x05\\x06' in data[-65557:]:\n"
	"        import runpy\n"
	"        sys.path.insert(0, path)\n"
	"        runpy._run_module_as_main('__main__', False)\n"
	"        return None\n"
	"    if not safe_path:\n"
	"        sys.path.insert(0, os.path.dirname(os.path.realpath(path)))\n"
	"    if path.endswith('.pyc') or data[:4] == MAGIC_NUMBER:\n"
	"        if data[:4] != MAGIC_NUMBER:\n"
	"            raise RuntimeError('Bad magic number in .pyc file')\n"
	"        code = marshal.loads(memoryview(data)[16:])\n"
	"        loader = ext.SourcelessFileLoader('__main__', path)\n"
	"    else:\n"
	"        code = compile(data, path, 'exec', dont_inherit=True)\n"
	"        loader = ext.SourceFileLoader('__main__', path)\n"
	"    g = sys.modules['__main__'].__dict__\n"
	"    g.update(__file__=path, __cached__=None, __loader__=loader)\n"
	"    return code\n";

/* Run src in a fresh namespace with one variable set; return it or NULL. */
static PyObject *run_snippet(const char *src, const char *var, PyObject *val)
{
	PyObject *ns = PyDict_New(), *r;

	if (!ns)
		return NULL;
	if (PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0 ||
	    PyDict_SetItemString(ns, var, val) < 0) {
		Py_DECREF(ns);
		return NULL;
	}
	r = PyRun_String(src, Py_file_input, ns, ns);
	if (!r) {
		Py_DECREF(ns);
		return NULL;
	}
	Py_DECREF(r);
	return ns;
}

/* Run the main script as __main__; return 0 or -1 with an exception. */
static int run_file(const wchar_t *filename, int safe_path)
{
	PyObject *ns, *fn, *path, *code = NULL, *main, *r = NULL;

	ns = run_snippet(run_py, "__name__", Py_None);
	if (!ns)
		return -1;
	fn = PyDict_GetItemString(ns, "load");
	path = PyUnicode_FromWideChar(filename, -1);
	if (fn && path && PySys_Audit("cpython.run_file", "O", path) == 0)
		code = PyObject_CallFunction(fn, "Oi", path, safe_path);
	Py_XDECREF(path);
	Py_DECREF(ns);
	if (!code)
		return -1;
	if (code == Py_None) {	/* run by runpy */
		Py_DECREF(code);
		return 0;
	}
	main = PyImport_AddModule("__main__");	/* borrowed */
	if (!PyCode_Check(code))
		PyErr_SetString(PyExc_TypeError, "the main .pyc holds no code object");
	else if (main)
		r = PyEval_EvalCode(code, PyModule_GetDict(main), PyModule_GetDict(main));
	Py_DECREF(code);
	Py_XDECREF(r);
	return r ? 0 : -1;
}

/* PYTHON* variables that would run code or load it from elsewhere. */
static const char *const denied_env[] = {
	"PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONPATH", "PYTHONHOME",
	"PYTHONUSERBASE", "PYTHONPYCACHEPREFIX", "PYTHONPLATLIBDIR",
	"PYTHONEXECUTABLE", "PYTHONBREAKPOINT", NULL
};

static void fail_status(PyConfig *c, PyStatus st)
{
	PyConfig_Clear(c);
	Py_ExitStatusException(st);
}

int main(int argc, char **argv)
{
	PyConfig c;
	PyStatus st;
	PyObject *ns;
	int want_site, safe_path, rc = 0;

	openlog(PROG, LOG_PID, LOG_AUTHPRIV);
	if (!kernel_has_check()) {
		logmsg(LOG_ERR, "the kernel lacks AT_EXECVE_CHECK (Linux 6.14 or later): refusing to run");
		return EXIT_REFUSED;
	}
	for (const char *const *e = denied_env; *e; e++)
		if (getenv(*e)) {
			logmsg(LOG_WARNING, "refused: %s is set; it would run or load code from elsewhere", *e);
			return EXIT_REFUSED;
		}

	/* Both hooks before anything of Python runs; neither can be removed. */
	if (PySys_AddAuditHook(audit_hook, NULL) < 0 ||
	    PyFile_SetOpenCodeHook(open_code_hook, NULL) < 0) {
		logmsg(LOG_ERR, "cannot install the hooks");
		return EXIT_REFUSED;
	}

	PyConfig_InitPythonConfig(&c);
	c.use_environment = 0;	/* no PYTHON* variable is read */
	c.parse_argv = 1;
	st = PyConfig_SetBytesArgv(&c, argc, argv);
	if (PyStatus_Exception(st))
		fail_status(&c, st);
	st = PyConfig_Read(&c);
	if (PyStatus_Exception(st))
		fail_status(&c, st);

	if (c.inspect || c.interactive) {
		logmsg(LOG_WARNING, "refused -i: the interactive prompt cannot be checked");
		PyConfig_Clear(&c);
		return EXIT_REFUSED;
	}
	if (c.skip_source_first_line) {
		logmsg(LOG_WARNING, "refused -x: not supported");
		PyConfig_Clear(&c);
		return EXIT_REFUSED;
	}

	safe_path = c.safe_path;	/* -P or -I: no script directory */
	want_site = c.site_import;	/* run below, after the .pyc fix */
	c.isolated = 1;
	c.use_environment = 0;
	c.user_site_directory = 0;
	c.safe_path = 1;
	c.write_bytecode = 0;	/* it would write unmarked .pyc files */
	c.site_import = 0;
	st = PyConfig_SetString(&c, &c.pycache_prefix, NULL);
	if (PyStatus_Exception(st))
		fail_status(&c, st);

	st = Py_InitializeFromConfig(&c);
	if (PyStatus_Exception(st))
		fail_status(&c, st);

	ns = run_snippet(setup_py, "want_site", want_site ? Py_True : Py_False);
	if (!ns) {
		PyErr_Print();
		rc = 1;
		goto out;
	}
	Py_DECREF(ns);

	/* -c, -m and standard input: CPython's own code, under the hooks. */
	if (!c.run_filename) {
		PyConfig_Clear(&c);
		return Py_RunMain();
	}
	if (run_file(c.run_filename, safe_path) < 0) {
		PyErr_Print();	/* SystemExit exits here with its status */
		rc = 1;
	}
out:
	PyConfig_Clear(&c);
	if (Py_FinalizeEx() < 0)
		rc = 120;
	return rc;
}
