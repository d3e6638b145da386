;; The FFI to libpmq: every call this egg makes into C is declared here, and
;; all of them go through <pmq/pmq.h>; the egg makes no mq_* call of its own.
;; Part of module posix-mq (included by posix-mq.scm).

(foreign-declare #<<EOC
#include <stdint.h>
#include <pmq/pmq.h>

/* pmq_attr is a struct; Scheme reads it through an s64vector of 3 slots:
   max_messages, message_size, current_messages. */
static void posix_mq_attr_to_vector(const pmq_attr *a, int64_t *out)
{
    out[0] = a->max_messages;
    out[1] = a->message_size;
    out[2] = a->current_messages;
}

static int posix_mq_info(const char *name, int64_t *out)
{
    pmq_attr a;
    int rc = pmq_info(name, &a);
    if (rc == 0) posix_mq_attr_to_vector(&a, out);
    return rc;
}

static int posix_mq_getattr(pmq_queue *q, int64_t *out)
{
    pmq_attr a;
    int rc = pmq_getattr(q, &a);
    if (rc == 0) posix_mq_attr_to_vector(&a, out);
    return rc;
}

/* The out-parameter forms return the handle, or NULL with the code in *rc. */
static pmq_queue *posix_mq_create(const char *name, unsigned flags, unsigned mode,
                                  int64_t max_messages, int64_t message_size, int32_t *rc)
{
    pmq_queue *q = NULL;
    *rc = pmq_create(name, flags, mode, max_messages, message_size, &q);
    return *rc == 0 ? q : NULL;
}

static pmq_queue *posix_mq_open(const char *name, unsigned flags, int32_t *rc)
{
    pmq_queue *q = NULL;
    *rc = pmq_open(name, flags, &q);
    return *rc == 0 ? q : NULL;
}
EOC
)

(define-foreign-type pmq-queue (c-pointer "pmq_queue"))

(define pmq-read     (foreign-value "PMQ_READ" unsigned-int))
(define pmq-write    (foreign-value "PMQ_WRITE" unsigned-int))
(define pmq-excl     (foreign-value "PMQ_EXCL" unsigned-int))
(define pmq-nonblock (foreign-value "PMQ_NONBLOCK" unsigned-int))

(define pmq-einval   (foreign-value "PMQ_EINVAL" int))
(define pmq-ename    (foreign-value "PMQ_ENAME" int))
(define pmq-ebadf    (foreign-value "PMQ_EBADF" int))
(define pmq-emsgsize (foreign-value "PMQ_EMSGSIZE" int))
(define pmq-eagain   (foreign-value "PMQ_EAGAIN" int))
(define pmq-etimedout (foreign-value "PMQ_ETIMEDOUT" int))

(define pmq-supported (foreign-lambda bool "pmq_supported"))
(define pmq-create
  (foreign-lambda pmq-queue "posix_mq_create"
                  nonnull-c-string unsigned-int unsigned-int integer64 integer64 s32vector))
(define pmq-open
  (foreign-lambda pmq-queue "posix_mq_open" nonnull-c-string unsigned-int s32vector))
(define pmq-close (foreign-lambda int "pmq_close" pmq-queue))
(define pmq-unlink (foreign-lambda int "pmq_unlink" nonnull-c-string))

(define pmq-send-timed
  (foreign-lambda int "pmq_send_timed" pmq-queue blob size_t unsigned-int int))
(define pmq-recv-timed
  (foreign-lambda int "pmq_recv_timed" pmq-queue blob size_t u32vector int))
(define pmq-getattr (foreign-lambda int "posix_mq_getattr" pmq-queue s64vector))
(define pmq-fd (foreign-lambda int "pmq_fd" pmq-queue))

(define pmq-send-to
  (foreign-lambda int "pmq_send_to" nonnull-c-string blob size_t unsigned-int unsigned-int))
(define pmq-recv-from
  (foreign-lambda int "pmq_recv_from" nonnull-c-string blob size_t u32vector unsigned-int))
(define pmq-info (foreign-lambda int "posix_mq_info" nonnull-c-string s64vector))

(define pmq-err-name (foreign-lambda c-string "pmq_err_name" int))
(define pmq-strerror (foreign-lambda c-string "pmq_strerror" int))
(define pmq-last-error (foreign-lambda c-string "pmq_last_error"))
