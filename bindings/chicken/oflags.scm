;; oflags: lists of open/... values from (chicken file posix), ORed together as
;; the seed did, then translated to libpmq's PMQ_* flags.  Anything the
;; operation cannot honour is refused with an explanation instead of being
;; dropped silently (the seed dropped it).
;; Part of module posix-mq (included by posix-mq.scm).

(define (oflags->bits location oflags)
  (unless (list? oflags)
    (invalid-argument location
                      "oflags: must be a list of open/... values from (chicken file posix), e.g. (list open/rdwr)"
                      oflags))
  (let loop ((rest oflags) (bits 0))
    (cond ((null? rest) bits)
          ((and (fixnum? (car rest)) (not (negative? (car rest))))
           (loop (cdr rest) (bitwise-ior bits (car rest))))
          (else
           (invalid-argument location
                             "oflags: every element must be an open/... value from (chicken file posix)"
                             (car rest))))))

(define access-mode-mask (bitwise-ior open/rdonly open/wronly open/rdwr))

;; The direction: open/rdonly (0, so also the empty list) -> PMQ_READ,
;; open/wronly -> PMQ_WRITE, open/rdwr -> both.
(define (access-mode->pmq location oflags bits)
  (let ((mode (bitwise-and bits access-mode-mask)))
    (cond ((= mode open/rdonly) pmq-read)
          ((= mode open/wronly) pmq-write)
          ((= mode open/rdwr) (bitwise-ior pmq-read pmq-write))
          (else (invalid-argument location
                                  "oflags: give one of open/rdonly, open/wronly or open/rdwr, not several"
                                  oflags)))))

(define (unsupported-oflags location oflags allowed-names)
  (invalid-argument location
                    (string-append "oflags: only " allowed-names
                                   " apply here; remove the others")
                    oflags))

;; For mq-create and mq-open: direction, open/creat, open/excl, open/nonblock.
;; Returns two values: the PMQ_* flags, and whether open/creat was given.
(define (open-oflags->pmq location oflags)
  (let* ((bits (oflags->bits location oflags))
         (known (bitwise-ior access-mode-mask open/creat open/excl open/nonblock)))
    (unless (zero? (bitwise-and bits (bitwise-not known)))
      (unsupported-oflags location oflags
                          "open/rdonly, open/wronly, open/rdwr, open/creat, open/excl and open/nonblock"))
    (values (bitwise-ior (access-mode->pmq location oflags bits)
                         (if (zero? (bitwise-and bits open/excl)) 0 pmq-excl)
                         (if (zero? (bitwise-and bits open/nonblock)) 0 pmq-nonblock))
            (not (zero? (bitwise-and bits open/creat))))))

;; For mq-send and mq-recv: open/nonblock.  The direction flags are accepted
;; and ignored, as in the seed: the operation itself says which way it opens.
;; Returns PMQ_NONBLOCK or 0.
(define (io-oflags->pmq location oflags)
  (let ((bits (oflags->bits location oflags)))
    (unless (zero? (bitwise-and bits (bitwise-not (bitwise-ior access-mode-mask open/nonblock))))
      (unsupported-oflags location oflags "open/nonblock (and the ignored open/rdonly, open/wronly, open/rdwr)"))
    (if (zero? (bitwise-and bits open/nonblock)) 0 pmq-nonblock)))
