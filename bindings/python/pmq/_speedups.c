/* pmq._speedups: the hot calls of pmq.Queue (send, receive, their timed
 * forms) in C, linked against libpmq like any C user.
 *
 * The module defines Core, the base class of pmq.Queue when it imports; the
 * ctypes module pmq._core_ctypes defines the same class for when it does not.
 * Only the common, valid case is handled here: anything unusual (a message
 * that is not bytes, a priority or timeout to validate, every failure) goes
 * to the helpers the ctypes path uses too, so that both paths raise the same
 * exceptions with the same messages.
 *
 * Concurrency: every field is read and written with the GIL held, so the
 * count of calls using the handle needs no lock; the GIL is released only
 * around the libpmq calls that can wait (and pmq_close, which may wait for a
 * notification callback that needs the GIL). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pmq/pmq.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#if PY_VERSION_HEX < 0x030A0000 /* Python 3.9 */
static PyObject *Py_NewRef(PyObject *object)
{
    Py_INCREF(object);
    return object;
}
#endif

/* Set once by configure(): the Python helpers shared with the ctypes path. */
static PyObject *message_type;   /* pmq.Message, a tuple subclass */
static PyObject *payload_helper; /* data -> bytes, or raises TypeError */
static PyObject *priority_helper;/* value -> int in range, or raises */
static PyObject *seconds_helper; /* timeout -> number of seconds, or raises */
static PyObject *fail_helper;    /* (code, message, timeout) -> raises */
static PyObject *closed_helper;  /* (queue) -> raises the "closed" error */

typedef struct {
    PyObject_HEAD
    pmq_queue *handle;
    Py_ssize_t calls;        /* calls using the handle right now */
    int closing;             /* close() asked; the last call out closes */
    int buffer_busy;         /* a receive is using buffer */
    size_t message_size;     /* fixed for the queue's life */
    char *buffer;            /* reused by receives, one at a time */
} Core;

/* -- keeping the handle alive while calls use it ------------------------- */

static int enter(Core *self)
{
    if (self->handle == NULL || self->closing) {
        PyObject *r = PyObject_CallOneArg(closed_helper, (PyObject *)self);
        Py_XDECREF(r);
        return -1;
    }
    ++self->calls;
    return 0;
}

static int close_handle(pmq_queue *handle)
{
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = pmq_close(handle);
    Py_END_ALLOW_THREADS
    return rc;
}

static PyObject *fail(int code, const char *message, PyObject *timeout);

/* 0, or -1 with an exception set if the close this call finished failed. */
static int leave(Core *self)
{
    if (--self->calls != 0 || !self->closing || self->handle == NULL)
        return 0;
    pmq_queue *handle = self->handle;
    self->handle = NULL;
    int rc = close_handle(handle);
    if (rc < 0) {
        fail(rc, pmq_last_error(), Py_None);
        return -1;
    }
    return 0;
}

/* Raises what a failed call's code means, explained by pmq_last_error(),
 * through the shared helper; returns NULL. */
static PyObject *fail(int code, const char *message, PyObject *timeout)
{
    PyObject *text = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message), "replace");
    if (text == NULL)
        return NULL;
    PyObject *r = PyObject_CallFunction(fail_helper, "iOO", code, text, timeout);
    Py_DECREF(text);
    Py_XDECREF(r);
    return NULL;
}

/* -- arguments ----------------------------------------------------------- */

static int parse(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                 const char *function, const char *const *names, Py_ssize_t count,
                 Py_ssize_t required, PyObject **out)
{
    if (nargs > count) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %zd positional arguments (%zd given)",
                     function, count, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; ++i)
        out[i] = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; ++k) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t i = 0;
        while (i < count && PyUnicode_CompareWithASCIIString(key, names[i]) != 0)
            ++i;
        if (i == count) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'",
                         function, key);
            return -1;
        }
        if (out[i] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
                         function, names[i]);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    for (Py_ssize_t i = 0; i < required; ++i)
        if (out[i] == NULL) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", function,
                         names[i]);
            return -1;
        }
    return 0;
}

/* timeout None -> 0 (untimed); else 1 with *seconds set, or -1. */
static int timeout_of(PyObject *timeout, double *seconds)
{
    if (timeout == NULL || timeout == Py_None)
        return 0;
    PyObject *checked = PyObject_CallOneArg(seconds_helper, timeout);
    if (checked == NULL)
        return -1;
    *seconds = PyFloat_AsDouble(checked);
    Py_DECREF(checked);
    return (*seconds == -1.0 && PyErr_Occurred()) ? -1 : 1;
}

/* -- waiting: PEP 475 retries and the deadline, as in pmq._waiting -------- */

static double monotonic(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int milliseconds(double seconds_left, int at_least)
{
    if (seconds_left * 1000 >= (double)INT_MAX)
        return INT_MAX;
    /* Round up: a wait must not end before the time asked for. */
    double ms = ceil(seconds_left * 1000);
    return ms < at_least ? at_least : (int)ms;
}

typedef struct {
    pmq_queue *handle;
    const void *data;
    char *buffer;
    size_t size;
    unsigned priority;
} Call;

static int do_send(Call *c, int timeout_ms)
{
    return timeout_ms < -1 ? pmq_send(c->handle, c->data, c->size, c->priority)
                           : pmq_send_timed(c->handle, c->data, c->size, c->priority, timeout_ms);
}

static int do_recv(Call *c, int timeout_ms)
{
    return timeout_ms < -1 ? pmq_recv(c->handle, c->buffer, c->size, &c->priority)
                           : pmq_recv_timed(c->handle, c->buffer, c->size, &c->priority,
                                            timeout_ms);
}

/* Calls op until it is neither interrupted nor cut short by the C int limit
 * on timeout_ms; the GIL is released around each call and held while the
 * Python signal handlers run.  Returns the result, or PMQ_EINTR with the
 * exception a handler raised set. */
static int call(int (*op)(Call *, int), Call *c, int timed, double timeout,
                const char **message)
{
    double deadline = timed ? monotonic() + timeout : 0;
    int at_least = timed && timeout > 0 ? 1 : 0;
    int timeout_ms = timed ? milliseconds(timeout, 0) : -2; /* -2: the untimed call */
    /* First an attempt that cannot wait, with the GIL held: on a ready queue
     * it is the call's one system call, without the cost of handing the GIL
     * over and back.  Only a queue found full or empty goes on to the call
     * that may wait, with the GIL released. */
    int rc = op(c, 0);
    if (rc != PMQ_EAGAIN || timeout_ms == 0) {
        if (rc < 0)
            *message = pmq_last_error();
        return rc;
    }
    for (;;) {
        Py_BEGIN_ALLOW_THREADS
        rc = op(c, timeout_ms);
        if (rc < 0)
            *message = pmq_last_error(); /* this thread's, right after the call */
        Py_END_ALLOW_THREADS
        if (rc == PMQ_EINTR) {
            if (PyErr_CheckSignals() < 0)
                return PMQ_EINTR;
        } else if (!(rc == PMQ_ETIMEDOUT && timeout_ms == INT_MAX)) {
            return rc;
        }
        if (timed)
            timeout_ms = milliseconds(deadline - monotonic(), at_least);
    }
}

/* -- the calls ----------------------------------------------------------- */

static PyObject *Core_send(Core *self, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames)
{
    static const char *const names[] = {"data", "priority", "timeout"};
    PyObject *argv[3] = {NULL, NULL, NULL};
    if (parse(args, nargs, kwnames, "send", names, 3, 1, argv) < 0)
        return NULL;

    PyObject *payload = argv[0];
    if (PyBytes_Check(payload)) {
        Py_INCREF(payload);
    } else if ((payload = PyObject_CallOneArg(payload_helper, argv[0])) == NULL) {
        return NULL;
    }
    Call c = {.data = PyBytes_AS_STRING(payload), .size = (size_t)PyBytes_GET_SIZE(payload)};
    PyObject *result = NULL;
    if (argv[1] != NULL) {
        unsigned long priority = ULONG_MAX;
        if (PyLong_CheckExact(argv[1])) {
            priority = PyLong_AsUnsignedLong(argv[1]);
            if (priority == (unsigned long)-1 && PyErr_Occurred())
                PyErr_Clear(); /* out of range: the helper explains */
        }
        if (priority > UINT_MAX) {
            PyObject *checked = PyObject_CallOneArg(priority_helper, argv[1]);
            if (checked == NULL)
                goto done;
            priority = PyLong_AsUnsignedLong(checked);
            Py_DECREF(checked);
            if (PyErr_Occurred())
                goto done;
        }
        c.priority = (unsigned)priority;
    }
    double timeout = 0;
    int timed = timeout_of(argv[2], &timeout);
    if (timed < 0 || enter(self) < 0)
        goto done;
    c.handle = self->handle;
    const char *message = "";
    int rc = call(do_send, &c, timed, timeout, &message);
    if (rc == PMQ_EINTR) {
        leave(self); /* the handler's exception wins over a close's */
    } else if (rc < 0) {
        fail(rc, message, timed ? argv[2] : Py_None);
        leave(self);
    } else if (leave(self) == 0) {
        result = Py_NewRef(Py_None);
    }
done:
    Py_DECREF(payload);
    return result;
}

/* A Message (data, priority): a tuple of pmq.Message's class, filled in place. */
static PyObject *new_message(const char *data, Py_ssize_t length, unsigned priority)
{
    PyTypeObject *type = (PyTypeObject *)message_type;
    PyObject *bytes = PyBytes_FromStringAndSize(data, length);
    if (bytes == NULL)
        return NULL;
    PyObject *number = PyLong_FromUnsignedLong(priority);
    if (number == NULL) {
        Py_DECREF(bytes);
        return NULL;
    }
    PyObject *message = type->tp_alloc(type, 2);
    if (message == NULL) {
        Py_DECREF(bytes);
        Py_DECREF(number);
        return NULL;
    }
    PyTuple_SET_ITEM(message, 0, bytes);
    PyTuple_SET_ITEM(message, 1, number);
    return message;
}

static PyObject *Core_receive(Core *self, PyObject *const *args, Py_ssize_t nargs,
                              PyObject *kwnames)
{
    static const char *const names[] = {"timeout"};
    PyObject *argv[1] = {NULL};
    if (parse(args, nargs, kwnames, "receive", names, 1, 0, argv) < 0)
        return NULL;
    double timeout = 0;
    int timed = timeout_of(argv[0], &timeout);
    if (timed < 0 || enter(self) < 0)
        return NULL;

    /* The queue's buffer, unless another thread is receiving into it. */
    Call c = {.handle = self->handle, .size = self->message_size};
    int own_buffer = self->buffer_busy || self->buffer == NULL;
    if (self->buffer == NULL && !self->buffer_busy) {
        self->buffer = PyMem_RawMalloc(c.size ? c.size : 1);
        own_buffer = 0;
    }
    c.buffer = own_buffer ? PyMem_RawMalloc(c.size ? c.size : 1) : self->buffer;
    if (c.buffer == NULL) {
        leave(self);
        return PyErr_NoMemory();
    }
    if (!own_buffer)
        self->buffer_busy = 1;

    const char *message = "";
    int rc = call(do_recv, &c, timed, timeout, &message);
    PyObject *result = NULL;
    if (rc >= 0)
        result = new_message(c.buffer, rc, c.priority);
    else if (rc != PMQ_EINTR)
        fail(rc, message, timed ? argv[0] : Py_None);
    if (own_buffer)
        PyMem_RawFree(c.buffer);
    else
        self->buffer_busy = 0;
    if (leave(self) < 0)
        Py_CLEAR(result);
    return result;
}

/* -- life of the handle -------------------------------------------------- */

static PyObject *Core_attach(Core *self, PyObject *args)
{
    unsigned long long address;
    Py_ssize_t message_size;
    if (!PyArg_ParseTuple(args, "Kn:_attach", &address, &message_size))
        return NULL;
    self->handle = (pmq_queue *)(uintptr_t)address;
    self->message_size = (size_t)message_size;
    Py_RETURN_NONE;
}

static PyObject *Core_enter(Core *self, PyObject *unused)
{
    (void)unused;
    if (enter(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *Core_leave(Core *self, PyObject *unused)
{
    (void)unused;
    if (leave(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *Core_close(Core *self, PyObject *unused)
{
    (void)unused;
    if (self->handle == NULL || self->closing)
        Py_RETURN_NONE;
    self->closing = 1;
    if (self->calls != 0)
        Py_RETURN_NONE; /* the last call still using the handle closes it */
    pmq_queue *handle = self->handle;
    self->handle = NULL;
    int rc = close_handle(handle);
    if (rc < 0)
        return fail(rc, pmq_last_error(), Py_None);
    Py_RETURN_NONE;
}

/* In a child after fork: the calls counted were the parent's other threads',
 * which the child does not have. */
static PyObject *Core_after_fork(Core *self, PyObject *unused)
{
    (void)unused;
    self->calls = 0;
    self->buffer_busy = 0;
    Py_RETURN_NONE;
}

static PyObject *Core_get_closed(Core *self, void *unused)
{
    (void)unused;
    return PyBool_FromLong(self->handle == NULL || self->closing);
}

static void Core_dealloc(Core *self)
{
    /* pmq.Queue.__del__ closes with a ResourceWarning; this is the last resort. */
    if (self->handle != NULL && self->calls == 0)
        pmq_close(self->handle);
    PyMem_RawFree(self->buffer);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Core_methods[] = {
    {"send", (PyCFunction)(void (*)(void))Core_send, METH_FASTCALL | METH_KEYWORDS,
     "send($self, /, data, priority=0, timeout=None)\n--\n\n"
     "Sends bytes (or a bytearray / memoryview) of at most message_size.\n"
     "\n"
     "priority: 0 .. pmq.limits().prio_max-1, higher received first.\n"
     "timeout: None waits for room as the handle does (a non-blocking\n"
     "handle raises pmq.WouldBlock), 0 never waits (WouldBlock), > 0 waits\n"
     "at most that many seconds (then pmq.Timeout).  A signal handler that\n"
     "raises ends the wait with its exception; one that does not lets the\n"
     "wait go on, for the time that is left."},
    {"receive", (PyCFunction)(void (*)(void))Core_receive, METH_FASTCALL | METH_KEYWORDS,
     "receive($self, /, timeout=None)\n--\n\n"
     "Takes the oldest message of the highest priority: a Message\n"
     "(data, priority).\n"
     "\n"
     "timeout: as for send(), waiting for a message instead of for room."},
    {"close", (PyCFunction)Core_close, METH_NOARGS,
     "Closes the handle (again: no-op); a call still using it closes it when it returns."},
    {"_attach", (PyCFunction)Core_attach, METH_VARARGS, "Takes over a pmq_queue* (an int)."},
    {"_enter", (PyCFunction)Core_enter, METH_NOARGS, "A call starts using the handle."},
    {"_leave", (PyCFunction)Core_leave, METH_NOARGS, "A call stops using the handle."},
    {"_after_fork", (PyCFunction)Core_after_fork, METH_NOARGS,
     "In a child after fork: forget the parent's calls in progress."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Core_getset[] = {
    {"closed", (getter)Core_get_closed, NULL, "Whether close() was called.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Core_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pmq._speedups.Core",
    .tp_doc = "The handle of a pmq.Queue and its hot calls, in C.",
    .tp_basicsize = sizeof(Core),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)Core_dealloc,
    .tp_methods = Core_methods,
    .tp_getset = Core_getset,
};

/* -- the module ---------------------------------------------------------- */

static PyObject *configure(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"message", "payload", "priority", "seconds", "fail", "closed",
                               NULL};
    PyObject *helpers[6];
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOO:configure", keywords, &helpers[0],
                                     &helpers[1], &helpers[2], &helpers[3], &helpers[4],
                                     &helpers[5]))
        return NULL;
    if (!PyType_Check(helpers[0]) ||
        !PyType_IsSubtype((PyTypeObject *)helpers[0], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "configure(): message must be a tuple subclass");
        return NULL;
    }
    PyObject **slots[] = {&message_type,   &payload_helper, &priority_helper,
                          &seconds_helper, &fail_helper,    &closed_helper};
    for (int i = 0; i < 6; ++i)
        Py_XSETREF(*slots[i], Py_NewRef(helpers[i]));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "Hands over the Python helpers shared with the ctypes path."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pmq._speedups",
    .m_doc = "The hot calls of pmq.Queue in C (the ctypes path is the fallback).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
    if (PyType_Ready(&Core_type) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_definition);
    if (module == NULL)
        return NULL;
    Py_INCREF(&Core_type);
    if (PyModule_AddObject(module, "Core", (PyObject *)&Core_type) < 0) {
        Py_DECREF(&Core_type);
        Py_DECREF(module);
        return NULL;
    }
    if (PyModule_AddStringConstant(module, "libpmq_version", pmq_version_string()) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
