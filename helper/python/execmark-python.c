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
#include <marshal.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <wchar.h>
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
	char *buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf = NULL;	/* out of memory: the format at least */
		n = 0;
	}
	if (prio <= LOG_WARNING)
		fprintf(stderr, PROG ": %s\n", buf ? buf : fmt);
	syslog(LOG_AUTHPRIV | prio, "%s (uid %u)", buf ? buf : fmt, (unsigned int)getuid());
	free(buf);
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

/*
 * Open path once and check it; *st gets its status. A directory is not
 * opened (EISDIR, as open() for reading would say), nor anything else that
 * is not a regular file (EACCES). Return: 0 with *fdp set, or an errno
 * value.
 */
static int open_checked(const char *path, int *fdp, struct stat *st)
{
	int fd, fl, err;

	/* O_NONBLOCK: a FIFO must not hang us before it is refused. */
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno;
	if (fstat(fd, st) < 0) {
		err = errno;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		err = S_ISDIR(st->st_mode) ? EISDIR : EACCES;
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

static int denied_runner(const char *path, int fd);

/*
 * _io.FileIO, looked up at the first call and kept: the hook runs for
 * every module, and an import per call costs more than the rest of it.
 * FileIO is a static type of the interpreter, never freed.
 */
static PyObject *fileio_type;

/* PyFile_SetOpenCodeHook: io.open_code(path) for every file run as code. */
static PyObject *open_code_hook(PyObject *path, void *unused)
{
	PyObject *bytes = NULL, *file = NULL;
	struct stat st;
	const char *p, *base;
	int fd = -1, err;

	(void)unused;
	if (!PyUnicode_Check(path)) {
		PyErr_SetString(PyExc_TypeError, "open_code: path must be str");
		return NULL;
	}
	if (!fileio_type) {
		PyObject *io = PyImport_ImportModule("_io");

		if (!io)
			return NULL;
		fileio_type = PyObject_GetAttrString(io, "FileIO");
		Py_DECREF(io);
		if (!fileio_type)
			return NULL;
	}
	if (!PyUnicode_FSConverter(path, &bytes))
		return NULL;
	p = PyBytes_AS_STRING(bytes);
	Py_BEGIN_ALLOW_THREADS
	err = open_checked(p, &fd, &st);
	Py_END_ALLOW_THREADS
	if (err) {
		/* A refused .pyc is normal (the .py is used): not on stderr. */
		logmsg(LOG_NOTICE, "refused %s: %s", p, strerror(err));
		raise_refused(err, path);
		goto out;
	}
	/* A directory's __main__.py may be a link to a code runner. */
	base = strrchr(p, '/');
	if (!strncmp(base ? base + 1 : p, "__main__.", 9) && denied_runner(p, fd)) {
		close(fd);
		goto out;
	}
	file = PyObject_CallFunction(fileio_type, "isi", fd, "rb", 1);
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
 * Modules (and their submodules) that run code they did not get from
 * open_code: interactive consoles, and in Python 3.11 the profilers, trace
 * and pdb, which read their script with open(); pickle loads code-bearing
 * data; runpy runs any module as the main program (-m runpy timeit ...).
 * Refused as the main program, however they are named: -m, or their file
 * or directory in the standard library (by path, through a symbolic link,
 * as a directory's __main__.py or on standard input).
 */
static const char *const denied_modules[] = {
	"asyncio", "cProfile", "code", "doctest", "idlelib", "pdb", "pickle",
	"profile", "runpy", "sqlite3", "timeit", "trace", NULL
};

/*
 * Code runners of the build tools, wherever they are installed (Debian's
 * dist-packages, a virtual environment, vendored inside pip): recognised
 * by a run of whole components of their dotted names anywhere in the -m
 * name or in the path of the file run, so pip._vendor.pygments and
 * .../pip/_vendor/pyproject_hooks/_in_process/_in_process.py are both
 * known. Each reads code with open() and runs it:
 *  - setuptools.launch: exec()s the script its first argument names;
 *  - pyproject_hooks._in_process (vendored in pip, or python3-pyproject-
 *    hooks), pep517's in_process (older pip, python3-pep517): run a build
 *    backend's hooks for a source tree the caller names, and setuptools'
 *    backend exec()s that tree's setup.py;
 *  - pygments (vendored in pip, or python3-pygments): its command line's
 *    -x loads lexers and formatters from files the caller names, with
 *    exec().
 */
static const char *const denied_anywhere[] = {
	"setuptools.launch", "pyproject_hooks._in_process",
	"pep517.in_process", "pep517._in_process", "pygments", NULL
};

/* Is name (dotted) a denied module of the standard library or inside one? */
static int denied_module(const char *name)
{
	for (const char *const *d = denied_modules; *d; d++) {
		size_t n = strlen(*d);

		if (!strncmp(name, *d, n) && (name[n] == '\0' || name[n] == '.'))
			return 1;
	}
	return 0;
}

/*
 * Is dotted a run of whole components of s, whose components are
 * separated by sep ('.' in a module name, '/' in a path)?
 */
static int has_components(const char *s, char sep, const char *dotted)
{
	size_t n = strlen(dotted), i;

	for (const char *p = s; *p; p++) {
		if (p != s && p[-1] != sep)
			continue;
		for (i = 0; i < n && p[i]; i++)
			if (p[i] != (dotted[i] == '.' ? sep : dotted[i]))
				break;
		if (i == n && (p[n] == '\0' || p[n] == sep))
			return 1;
	}
	return 0;
}

/* The denied build-tool runner that s names, or NULL. */
static const char *denied_tool(const char *s, char sep)
{
	for (const char *const *d = denied_anywhere; *d; d++)
		if (has_components(s, sep, *d))
			return *d;
	return NULL;
}

/* The real path of the standard library (sys._stdlib_dir), from setup(). */
static char *stdlib_dir;

/*
 * Is the file open on fd, opened as path, a code runner: one of the
 * denied modules of the standard library, or a denied build tool
 * anywhere? Its module path: .../python3.11/timeit for
 * .../python3.11/timeit.py and for __pycache__/timeit.cpython-311.pyc,
 * .../asyncio for the asyncio directory, .../asyncio/__main__ for its
 * __main__.py; inside the standard library, its dotted name there (timeit,
 * asyncio.__main__). The name is that of the file opened: path is
 * resolved after the open and must still lead to the same file (a link
 * swapped in between would otherwise name another). Return 1 with
 * PermissionError set (refused and logged), else 0. Fails closed: a path
 * that no longer resolves to the file opened is refused.
 */
static int denied_runner(const char *path, int fd)
{
	char *real, *name, *s, *what = NULL;
	const char *tool;
	struct stat fst, pst;
	size_t n;
	int denied = 0;

	if (!stdlib_dir)
		return 0;	/* initialisation: no main program yet */
	real = realpath(path, NULL);
	if (!real || fstat(fd, &fst) < 0 || stat(real, &pst) < 0 ||
	    fst.st_dev != pst.st_dev || fst.st_ino != pst.st_ino) {
		free(real);
		refuse(path, "it changed while it was opened");
		return 1;
	}
	/* The module path: no __pycache__, no suffix (.py, .cpython-311.pyc). */
	while ((s = strstr(real, "/__pycache__/")))
		memmove(s, s + 12, strlen(s + 12) + 1);
	s = strrchr(real, '/');
	s = strchr(s ? s + 1 : real, '.');
	if (s)
		*s = '\0';
	tool = denied_tool(real, '/');
	n = strlen(stdlib_dir);
	if (tool) {
		if (asprintf(&what, "%s (%s)", path, tool) < 0)
			what = NULL;
		denied = 1;
	} else if (!strncmp(real, stdlib_dir, n) && real[n] == '/') {
		name = real + n + 1;
		for (s = name; *s; s++)
			if (*s == '/')
				*s = '.';
		if (denied_module(name)) {
			if (asprintf(&what, "%s (the standard library's %s)", path, name) < 0)
				what = NULL;
			denied = 1;
		}
	}
	if (denied)
		refuse(what ? what : path, "it runs code that is not checked");
	free(what);
	free(real);
	return denied;
}

/*
 * Modules of the standard library that start a shell running typed code
 * when they are merely imported, not only as the main program: IDLE
 * (Debian's idle-python3.11). Any import reaches them: -W
 * ignore::idlelib.idle.X, -m pydoc idlelib.idle, a marked script.
 */
static const char *const shell_on_import[] = {
	"idlelib.idle", "idlelib.__main__", NULL
};

/* The "import" audit event: args[0] is the module's name. */
static int judge_import(PyObject *args)
{
	PyObject *mod = PyTuple_Check(args) && PyTuple_GET_SIZE(args) ?
			PyTuple_GET_ITEM(args, 0) : NULL;
	const char *name = mod && PyUnicode_Check(mod) ? PyUnicode_AsUTF8(mod) : NULL;
	int i;

	if (!name)
		return mod && PyUnicode_Check(mod) ? -1 : 0;	/* -1: encoding error set */
	for (i = 0; shell_on_import[i]; i++)
		if (!strcmp(name, shell_on_import[i]))
			return refuse(name, "importing it starts a shell that runs typed code");
	return 0;
}

static int audit_hook(const char *event, PyObject *args, void *unused)
{
	(void)unused;
	/*
	 * Called for every audit event (thousands per start): most return at
	 * the first character.
	 */
	if (event[0] != 'c' && event[0] != 'b' && event[0] != 'p' && event[0] != 'i')
		return 0;
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
			return denied_runner("/proc/self/fd/0", 0) ? -1 : 0;
		}
		if (!strcmp(kind, "module")) {
			PyObject *mod = PyTuple_Check(args) && PyTuple_GET_SIZE(args) ?
					PyTuple_GET_ITEM(args, 0) : NULL;
			const char *name = mod && PyUnicode_Check(mod) ?
					   PyUnicode_AsUTF8(mod) : NULL;

			if (!name)
				return refuse("-m", "no module name");
			if (denied_module(name) || denied_tool(name, '.')) {
				char *what;
				int r;

				if (asprintf(&what, "-m %s", name) < 0)
					what = NULL;
				r = refuse(what ? what : "-m", "it runs code that is not checked");
				free(what);
				return r;
			}
		}
		return 0;	/* run_file, run_module: their files are checked */
	}
	if (event[0] == 'i')
		return strcmp(event, "import") ? 0 : judge_import(args);
	if (!strcmp(event, "builtins.breakpoint"))
		return refuse("breakpoint()", "the debugger runs typed code");
	if (!strcmp(event, "pdb.Pdb"))
		return refuse("pdb", "the debugger runs typed code");
	return 0;
}

/*
 * SourcelessFileLoader.get_data(self, path) through open_code: CPython
 * 3.11's own reads sourceless .pyc files with FileIO, around the hook
 * (CVE-2026-2297). Installed after initialisation, before site.
 */
static PyObject *sourceless_get_data(PyObject *unused, PyObject *args)
{
	PyObject *self, *path, *str, *f, *data, *r;

	(void)unused;
	if (!PyArg_UnpackTuple(args, "get_data", 2, 2, &self, &path))
		return NULL;
	str = PyObject_Str(path);
	if (!str)
		return NULL;
	f = PyFile_OpenCodeObject(str);
	Py_DECREF(str);
	if (!f)
		return NULL;
	data = PyObject_CallMethod(f, "read", NULL);
	if (data) {
		r = PyObject_CallMethod(f, "close", NULL);
		if (!r)
			Py_CLEAR(data);
		Py_XDECREF(r);
	} else {
		/* Close it, keeping the error of read(). */
		PyObject *et, *ev, *tb;

		PyErr_Fetch(&et, &ev, &tb);
		r = PyObject_CallMethod(f, "close", NULL);
		Py_XDECREF(r);
		PyErr_Clear();
		PyErr_Restore(et, ev, tb);
	}
	Py_DECREF(f);
	return data;
}

static PyMethodDef get_data_def = {
	"get_data", sourceless_get_data, METH_VARARGS,
	"Read a sourceless .pyc through io.open_code (execmark-python)."
};

/* stdlib_dir, for denied_runner(): fail closed if it cannot be known. */
static int set_stdlib_dir(void)
{
	PyObject *dir = PySys_GetObject("_stdlib_dir");	/* borrowed */
	PyObject *b;

	if (!dir || !PyUnicode_Check(dir)) {
		PyErr_SetString(PyExc_RuntimeError, "sys._stdlib_dir is not set");
		return -1;
	}
	if (!PyUnicode_FSConverter(dir, &b))
		return -1;
	stdlib_dir = realpath(PyBytes_AS_STRING(b), NULL);
	if (!stdlib_dir)
		PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, dir);
	Py_DECREF(b);
	return stdlib_dir ? 0 : -1;
}

/*
 * After initialisation: the get_data above (an instance method, so that
 * it binds like a function defined in the class) and stdlib_dir, then
 * site if it was asked for. In C rather than Python
 * source: compiling a snippet at each start costs more than running it.
 */
static int setup(int want_site)
{
	PyObject *ext, *cls = NULL, *fn = NULL, *meth = NULL, *site, *r;
	int ret = -1;

	ext = PyImport_ImportModule("_frozen_importlib_external");
	if (ext)
		cls = PyObject_GetAttrString(ext, "SourcelessFileLoader");
	if (cls)
		fn = PyCFunction_New(&get_data_def, NULL);
	if (fn)
		meth = PyInstanceMethod_New(fn);
	if (meth && PyObject_SetAttrString(cls, "get_data", meth) == 0 &&
	    set_stdlib_dir() == 0)
		ret = 0;
	Py_XDECREF(meth);
	Py_XDECREF(fn);
	Py_XDECREF(cls);
	Py_XDECREF(ext);
	if (ret < 0 || !want_site)
		return ret;
	/* site's body does not run main() when sys.flags.no_site is set. */
	site = PyImport_ImportModule("site");
	if (!site)
		return -1;
	r = PyObject_CallMethod(site, "main", NULL);
	Py_DECREF(site);
	if (!r)
		return -1;
	Py_DECREF(r);
	return 0;
}

/*
 * Read the whole of fd (a regular file of about size bytes) from its
 * start into a new bytes object, retrying on EINTR and short reads; it may
 * have grown. pread(): the file offset, which another process may share
 * (standard input) and move, is neither used nor changed. Return NULL with
 * an exception on error.
 */
static PyObject *read_all(int fd, off_t size)
{
	size_t len = 0, cap = size > 0 && (uintmax_t)size < SIZE_MAX / 2 ? (size_t)size + 1 : 8192;
	char *buf = malloc(cap), *nbuf;
	PyObject *b;
	ssize_t n;

	if (!buf)
		return PyErr_NoMemory();
	for (;;) {
		if (len == cap) {
			if (cap > (size_t)PY_SSIZE_T_MAX / 2 || !(nbuf = realloc(buf, cap * 2))) {
				free(buf);
				return PyErr_NoMemory();
			}
			buf = nbuf;
			cap *= 2;
		}
		Py_BEGIN_ALLOW_THREADS
		n = pread(fd, buf + len, cap - len, (off_t)len);
		Py_END_ALLOW_THREADS
		if (n < 0 && errno == EINTR) {
			if (PyErr_CheckSignals() < 0) {
				free(buf);
				return NULL;
			}
			continue;
		}
		if (n < 0) {
			free(buf);
			return PyErr_SetFromErrno(PyExc_OSError);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	b = PyBytes_FromStringAndSize(buf, (Py_ssize_t)len);
	free(buf);
	return b;
}

/* sys.path.insert(0, item); steals no reference. */
static int sys_path_insert(PyObject *item)
{
	PyObject *sys_path = PySys_GetObject("path");	/* borrowed */

	if (!sys_path || !PyList_Check(sys_path)) {
		PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
		return -1;
	}
	return PyList_Insert(sys_path, 0, item);
}

/* The directory of the script's real path, first on sys.path (python3). */
static int add_script_dir(const char *p)
{
	char *real = realpath(p, NULL);
	const char *s = real ? real : p, *slash = strrchr(s, '/');
	Py_ssize_t n = !slash ? 0 : slash == s ? 1 : slash - s;
	PyObject *dir = PyUnicode_DecodeFSDefaultAndSize(s, n);
	int ret = dir ? sys_path_insert(dir) : -1;

	Py_XDECREF(dir);
	free(real);
	return ret;
}

/*
 * A directory or zip file run as python3 runs it: its __main__, by runpy,
 * with path first on sys.path (also with -P), as CPython 3.11's
 * pymain_run_python does.
 */
static int run_main_importer(PyObject *path)
{
	PyObject *runpy, *r = NULL;

	if (PySys_Audit("cpython.run_module", "s", "__main__") < 0 ||
	    sys_path_insert(path) < 0)
		return -1;
	runpy = PyImport_ImportModule("runpy");
	if (!runpy)
		return -1;
	r = PyObject_CallMethod(runpy, "_run_module_as_main", "sO", "__main__", Py_False);
	Py_DECREF(runpy);
	Py_XDECREF(r);
	return r ? 0 : -1;
}

/*
 * Is path a package to run (a directory, a zip archive), as CPython 3.11
 * decides (pymain_get_importer): does an importer of sys.path_hooks accept
 * it? zipimport's reads the file's central directory, through open_code
 * (so checked); the file finder's takes directories. Return 1 or 0, or -1
 * with an exception.
 */
static int is_main_importer(PyObject *path)
{
	PyObject *importer = PyImport_GetImporter(path);
	int r;

	if (!importer) {
		PySys_WriteStderr("Failed checking if argv[0] is an import path entry\n");
		return -1;
	}
	r = importer != Py_None;
	Py_DECREF(importer);
	return r;
}

/* Does str end with the ASCII suffix? -1 with an exception on error. */
static int ends_with(PyObject *str, const char *suffix)
{
	PyObject *suf = PyUnicode_FromString(suffix);
	Py_ssize_t r;

	if (!suf)
		return -1;
	r = PyUnicode_Tailmatch(str, suf, 0, PY_SSIZE_T_MAX, 1);
	Py_DECREF(suf);
	return (int)r;
}

/*
 * Compile (or unmarshal, for a .pyc) the main script read from the checked
 * descriptor, with the loader python3 gives it. In C: compile() of Python
 * would first build the whole _ast module (a third of the start-up).
 * Return a new reference to the code object, or NULL with an exception.
 */
static PyObject *main_code(PyObject *path, PyObject *data, PyObject **loader)
{
	const char *d = PyBytes_AS_STRING(data);
	Py_ssize_t len = PyBytes_GET_SIZE(data);
	long magic = PyImport_GetMagicNumber();
	const unsigned char m[4] = { magic & 0xff, (magic >> 8) & 0xff,
				     (magic >> 16) & 0xff, (magic >> 24) & 0xff };
	PyCompilerFlags flags = { .cf_flags = 0, .cf_feature_version = PY_MINOR_VERSION };
	int has_magic = len >= 4 && !memcmp(d, m, 4);
	int pyc = ends_with(path, ".pyc");
	PyObject *ext, *code;

	if (pyc < 0 || (magic == -1 && PyErr_Occurred()))
		return NULL;
	if (pyc || has_magic) {
		if (!has_magic) {
			PyErr_SetString(PyExc_RuntimeError, "Bad magic number in .pyc file");
			return NULL;
		}
		code = PyMarshal_ReadObjectFromString(d + (len < 16 ? len : 16),
						      len < 16 ? 0 : len - 16);
	} else {
		if (memchr(d, '\0', (size_t)len)) {
			PyErr_SetString(PyExc_ValueError,
					"source code string cannot contain null bytes");
			return NULL;
		}
		/* PyBytes are NUL-terminated; the parser reads coding cookies. */
		code = Py_CompileStringObject(d, path, Py_file_input, &flags, -1);
	}
	if (!code)
		return NULL;
	if (!PyCode_Check(code)) {
		Py_DECREF(code);
		PyErr_SetString(PyExc_TypeError, "the main .pyc holds no code object");
		return NULL;
	}
	ext = PyImport_ImportModule("_frozen_importlib_external");
	*loader = ext ? PyObject_CallMethod(ext, has_magic ? "SourcelessFileLoader" :
					    "SourceFileLoader", "sO", "__main__", path) : NULL;
	Py_XDECREF(ext);
	if (!*loader)
		Py_CLEAR(code);
	return code;
}

/*
 * Run data, the main program read from a checked descriptor, as __main__
 * with path as __file__ ("<stdin>" for standard input, as python3). Return
 * 0, or -1 with an exception.
 */
static int run_main_data(PyObject *path, PyObject *data)
{
	PyObject *code, *loader = NULL, *main, *g, *r;
	int ret = -1;

	code = main_code(path, data, &loader);
	if (!code)
		return -1;
	main = PyImport_AddModule("__main__");	/* borrowed */
	g = main ? PyModule_GetDict(main) : NULL;
	if (g && PyDict_SetItemString(g, "__file__", path) == 0 &&
	    PyDict_SetItemString(g, "__cached__", Py_None) == 0 &&
	    PyDict_SetItemString(g, "__loader__", loader) == 0) {
		r = PyEval_EvalCode(code, g, g);
		if (r) {
			Py_DECREF(r);
			ret = 0;
		}
	}
	Py_DECREF(loader);
	Py_DECREF(code);
	return ret;
}

/*
 * Run the main script as __main__: opened and checked once, read from that
 * descriptor, never reopened by path. Return 0, or -1 with an exception
 * (SystemExit(2) when it cannot be opened or is refused, as python3).
 */
static int run_file(const wchar_t *filename, int safe_path)
{
	PyObject *path, *bytes = NULL, *data = NULL, *r;
	struct stat st;
	const char *p;
	int fd = -1, err, ret = -1;

	path = PyUnicode_FromWideChar(filename, -1);
	if (!path)
		return -1;
	err = is_main_importer(path);
	if (err) {
		if (err > 0)
			ret = run_main_importer(path);
		goto out;
	}
	if (PySys_Audit("cpython.run_file", "O", path) < 0 ||
	    !PyUnicode_FSConverter(path, &bytes))
		goto out;
	p = PyBytes_AS_STRING(bytes);
	Py_BEGIN_ALLOW_THREADS
	err = open_checked(p, &fd, &st);
	Py_END_ALLOW_THREADS
	if (err) {
		logmsg(LOG_NOTICE, "refused %s: %s", p, strerror(err));
		fprintf(stderr, PROG ": can't open file '%s': [Errno %d] %s\n",
			p, err, strerror(err));
		r = PyLong_FromLong(2);
		if (r)
			PyErr_SetObject(PyExc_SystemExit, r);
		Py_XDECREF(r);
		goto out;
	}
	/* The runner check names the file opened, not what p names now. */
	if (denied_runner(p, fd)) {
		close(fd);
		goto out;
	}
	data = read_all(fd, st.st_size);
	close(fd);
	if (!data)
		goto out;
	if (!safe_path && add_script_dir(p) < 0)
		goto out;
	ret = run_main_data(path, data);
out:
	Py_XDECREF(data);
	Py_XDECREF(bytes);
	Py_DECREF(path);
	return ret;
}

/*
 * Standard input as the main program: the audit hook judges it (a regular
 * file that passes the check, not a code runner), then it is read from its
 * start with pread(), as a whole: CPython's own reading goes on from the
 * file offset, which the caller chooses (a marked file entered in the
 * middle, e.g. in a string literal, would run what it only quotes) and
 * which any process sharing the descriptor can move while it reads.
 */
static int run_stdin(void)
{
	PyObject *data, *name;
	struct stat st;
	int ret;

	if (PySys_Audit("cpython.run_stdin", NULL) < 0)
		return -1;
	if (fstat(0, &st) < 0) {
		PyErr_SetFromErrnoWithFilename(PyExc_OSError, "<stdin>");
		return -1;
	}
	data = read_all(0, st.st_size);
	name = data ? PyUnicode_FromString("<stdin>") : NULL;
	ret = name ? run_main_data(name, data) : -1;
	Py_XDECREF(name);
	Py_XDECREF(data);
	return ret;
}

/* PYTHON* variables that would run code or load it from elsewhere. */
static const char *const denied_env[] = {
	"PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONPATH", "PYTHONHOME",
	"PYTHONUSERBASE", "PYTHONPYCACHEPREFIX", "PYTHONPLATLIBDIR",
	"PYTHONEXECUTABLE", "PYTHONBREAKPOINT", NULL
};

/*
 * The prefix of the standard library, as Debian's libpython3.11 was built.
 * Set as PyConfig.home: otherwise CPython derives it from the path it was
 * started as (argv[0], which the caller chooses, or a search of PATH), and
 * reads pyvenv.cfg, pybuilddir.txt and ._pth files next to that path: a
 * caller who names a directory of their own gets a standard library of
 * their own (links to marked files, so every check passes) in which the
 * code runners are not recognised, and data files (pickles) of their own.
 * With home set, none of these files is read.
 */
#ifndef EXECMARK_PYTHON_HOME
#define EXECMARK_PYTHON_HOME "/usr"
#endif

/* Drop every -X name or -X name=value from list. */
static void drop_xoption(PyWideStringList *list, const wchar_t *name)
{
	size_t n = wcslen(name);
	Py_ssize_t i, j = 0;

	for (i = 0; i < list->length; i++) {
		const wchar_t *o = list->items[i];

		if (!wcsncmp(o, name, n) && (o[n] == L'\0' || o[n] == L'=')) {
			PyMem_RawFree(list->items[i]);
			continue;
		}
		list->items[j++] = list->items[i];
	}
	list->length = j;
}

static void fail_status(PyConfig *c, PyStatus st)
{
	PyConfig_Clear(c);
	Py_ExitStatusException(st);
}

int main(int argc, char **argv)
{
	PyPreConfig pre;
	PyConfig c;
	PyStatus st;
	int want_site, safe_path, rc = 0;
	char *exe;

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

	/*
	 * Pre-initialisation first: it chooses the memory allocators (-X dev:
	 * the debug ones), which must be those that free the hook entries at
	 * exit. It reads no file and runs no Python.
	 */
	PyPreConfig_InitPythonConfig(&pre);
	pre.use_environment = 0;
	pre.parse_argv = 1;
	st = Py_PreInitializeFromBytesArgs(&pre, argc, argv);
	if (PyStatus_Exception(st))
		Py_ExitStatusException(st);

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
	/* The standard library's place: not from argv[0] (see above). */
	st = PyConfig_SetBytesString(&c, &c.home, EXECMARK_PYTHON_HOME);
	if (PyStatus_Exception(st))
		fail_status(&c, st);
	/* sys.executable: this program's file, not what argv[0] claims. */
	exe = realpath("/proc/self/exe", NULL);
	if (exe) {
		st = PyConfig_SetBytesString(&c, &c.executable, exe);
		free(exe);
		if (PyStatus_Exception(st))
			fail_status(&c, st);
	}
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
	/* Read again at initialisation: -X pycache_prefix must go too. */
	drop_xoption(&c.xoptions, L"pycache_prefix");
	st = PyConfig_SetString(&c, &c.pycache_prefix, NULL);
	if (PyStatus_Exception(st))
		fail_status(&c, st);

	st = Py_InitializeFromConfig(&c);
	if (PyStatus_Exception(st))
		fail_status(&c, st);

	if (setup(want_site) < 0) {
		PyErr_Print();
		rc = 1;
		goto out;
	}

	/* -c and -m: CPython's own code, under the hooks. */
	if (c.run_command || c.run_module) {
		PyConfig_Clear(&c);
		return Py_RunMain();
	}
	if ((c.run_filename ? run_file(c.run_filename, safe_path) : run_stdin()) < 0) {
		PyErr_Print();	/* SystemExit exits here with its status */
		rc = 1;
	}
out:
	PyConfig_Clear(&c);
	if (Py_FinalizeEx() < 0)
		rc = 120;
	return rc;
}
