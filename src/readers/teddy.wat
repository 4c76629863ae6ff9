;; Teddy-style multi-literal candidate filter (the SIMD idea behind Hyperscan's and ripgrep's literal
;; search), in WebAssembly SIMD so it runs the same on every Node platform without a native addon.
;;
;; Each literal has a 3-byte fingerprint and a bucket (one of 16, two sets of 8 bits). For fingerprint
;; byte k, two 16-byte tables per set map a byte's low and high nibble to the buckets whose fingerprint
;; byte k has that nibble. For 16 positions at once: look up both nibbles of the bytes at +0, +1, +2 (i8x16.swizzle),
;; AND everything: a lane that stays non-zero is a candidate start of a fingerprint in those buckets.
;; Candidate positions are written out; JavaScript verifies them against the literals. `scan8` uses the
;; first set only: half the lookups, for literal sets whose fingerprints fit 8 buckets without many more candidates.
;;
;; Memory layout (set by the caller, see teddy.ts):
;;   0..95     tables of buckets 0-7: LO0 HI0 LO1 HI1 LO2 HI2 (16 bytes each)
;;   96..191   tables of buckets 8-15, same layout
;;   1024..    candidate positions (u32), `cap` of them
;;   256..511  ASCII case folding (byte → byte) for `verify`
;;   PLAN (passed in) the fingerprint table and literals for `verify` (see teddy.ts `PlanLayout`)
;;   OUT (passed in) verified occurrences: (start, end, literal) as three i32 each
;;   IN (passed in) the input bytes, followed by at least 32 bytes the caller zeroes
;;
;; Build: `node dist/scripts/gen-wasm.js` (wabt) writes src/readers/teddy-wasm.ts.
(module
  (memory (export "memory") 80)
  (global $resume (export "resume") (mut i32) (i32.const 0))

  ;; Scan fingerprint starts p in [p, end) (addresses in memory). Writes at most `cap` candidates
  ;; (positions relative to `base`) and returns their count; `resume` is where to call again
  ;; (= end when done). A block is only started with room for all its 16 lanes, so none is lost.
  (func (export "scan") (param $p i32) (param $end i32) (param $base i32) (param $cap i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $b4 v128) (local $b5 v128)
    (local $nib v128) (local $v v128) (local $lo v128) (local $hi v128) (local $ca v128) (local $cb v128)
    (local $bits i32) (local $n i32) (local $left i32)
    (local.set $a0 (v128.load (i32.const 0)))
    (local.set $a1 (v128.load (i32.const 16)))
    (local.set $a2 (v128.load (i32.const 32)))
    (local.set $a3 (v128.load (i32.const 48)))
    (local.set $a4 (v128.load (i32.const 64)))
    (local.set $a5 (v128.load (i32.const 80)))
    (local.set $b0 (v128.load (i32.const 96)))
    (local.set $b1 (v128.load (i32.const 112)))
    (local.set $b2 (v128.load (i32.const 128)))
    (local.set $b3 (v128.load (i32.const 144)))
    (local.set $b4 (v128.load (i32.const 160)))
    (local.set $b5 (v128.load (i32.const 176)))
    (local.set $nib (i8x16.splat (i32.const 15)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.gt_u (i32.add (local.get $n) (i32.const 16)) (local.get $cap))
          (then
            (global.set $resume (local.get $p))
            (return (local.get $n))))
        ;; byte 0 of the fingerprint
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $ca (v128.and (i8x16.swizzle (local.get $a0) (local.get $lo)) (i8x16.swizzle (local.get $a1) (local.get $hi))))
        (local.set $cb (v128.and (i8x16.swizzle (local.get $b0) (local.get $lo)) (i8x16.swizzle (local.get $b1) (local.get $hi))))
        ;; byte 1
        (local.set $v (v128.load offset=1 (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $ca (v128.and (local.get $ca)
          (v128.and (i8x16.swizzle (local.get $a2) (local.get $lo)) (i8x16.swizzle (local.get $a3) (local.get $hi)))))
        (local.set $cb (v128.and (local.get $cb)
          (v128.and (i8x16.swizzle (local.get $b2) (local.get $lo)) (i8x16.swizzle (local.get $b3) (local.get $hi)))))
        ;; byte 2
        (local.set $v (v128.load offset=2 (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $ca (v128.and (local.get $ca)
          (v128.and (i8x16.swizzle (local.get $a4) (local.get $lo)) (i8x16.swizzle (local.get $a5) (local.get $hi)))))
        (local.set $cb (v128.and (local.get $cb)
          (v128.and (i8x16.swizzle (local.get $b4) (local.get $lo)) (i8x16.swizzle (local.get $b5) (local.get $hi)))))
        (local.set $ca (v128.or (local.get $ca) (local.get $cb)))
        (if (v128.any_true (local.get $ca))
          (then
            (local.set $bits (i8x16.bitmask (i8x16.ne (local.get $ca) (v128.const i64x2 0 0))))
            ;; lanes past the end are not starts inside the input
            (local.set $left (i32.sub (local.get $end) (local.get $p)))
            (if (i32.lt_u (local.get $left) (i32.const 16))
              (then (local.set $bits (i32.and (local.get $bits)
                (i32.sub (i32.shl (i32.const 1) (local.get $left)) (i32.const 1))))))
            (block $lanesDone
              (loop $lanes
                (br_if $lanesDone (i32.eqz (local.get $bits)))
                (i32.store offset=1024 (i32.shl (local.get $n) (i32.const 2))
                  (i32.sub (i32.add (local.get $p) (i32.ctz (local.get $bits))) (local.get $base)))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                (br $lanes)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    (global.set $resume (local.get $end))
    (local.get $n))

  ;; The same with buckets 0-7 only (half the table lookups), for literal sets that fill 8 buckets well.
  (func (export "scan8") (param $p i32) (param $end i32) (param $base i32) (param $cap i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local $nib v128) (local $v v128) (local $lo v128) (local $hi v128) (local $ca v128)
    (local $bits i32) (local $n i32) (local $left i32)
    (local.set $a0 (v128.load (i32.const 0)))
    (local.set $a1 (v128.load (i32.const 16)))
    (local.set $a2 (v128.load (i32.const 32)))
    (local.set $a3 (v128.load (i32.const 48)))
    (local.set $a4 (v128.load (i32.const 64)))
    (local.set $a5 (v128.load (i32.const 80)))
    (local.set $nib (i8x16.splat (i32.const 15)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.gt_u (i32.add (local.get $n) (i32.const 16)) (local.get $cap))
          (then
            (global.set $resume (local.get $p))
            (return (local.get $n))))
        ;; byte 0 of the fingerprint
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $ca (v128.and (i8x16.swizzle (local.get $a0) (local.get $lo)) (i8x16.swizzle (local.get $a1) (local.get $hi))))
        ;; byte 1
        (local.set $v (v128.load offset=1 (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $ca (v128.and (local.get $ca)
          (v128.and (i8x16.swizzle (local.get $a2) (local.get $lo)) (i8x16.swizzle (local.get $a3) (local.get $hi)))))
        ;; byte 2
        (local.set $v (v128.load offset=2 (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $ca (v128.and (local.get $ca)
          (v128.and (i8x16.swizzle (local.get $a4) (local.get $lo)) (i8x16.swizzle (local.get $a5) (local.get $hi)))))
        (if (v128.any_true (local.get $ca))
          (then
            (local.set $bits (i8x16.bitmask (i8x16.ne (local.get $ca) (v128.const i64x2 0 0))))
            ;; lanes past the end are not starts inside the input
            (local.set $left (i32.sub (local.get $end) (local.get $p)))
            (if (i32.lt_u (local.get $left) (i32.const 16))
              (then (local.set $bits (i32.and (local.get $bits)
                (i32.sub (i32.shl (i32.const 1) (local.get $left)) (i32.const 1))))))
            (block $lanesDone
              (loop $lanes
                (br_if $lanesDone (i32.eqz (local.get $bits)))
                (i32.store offset=1024 (i32.shl (local.get $n) (i32.const 2))
                  (i32.sub (i32.add (local.get $p) (i32.ctz (local.get $bits))) (local.get $base)))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                (br $lanes)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    (global.set $resume (local.get $end))
    (local.get $n))
;; Verifies the `n` candidates at 1024.. against the literals whose fingerprint they start: a candidate
  ;; position's three folded bytes are hashed into the fingerprint table (open addressing, as teddy.ts
  ;; builds it), and each (literal, offset) pair of that fingerprint is compared byte by byte, folded.
  ;; Writes at most `cap` occurrences at `out` and returns their count (the caller sizes `out` for every
  ;; pair of every candidate). Plan layout at `plan` (i32 words): mask, keys offset, first offset, count
  ;; offset, pairs offset, literal starts offset, literal lengths offset, literal bytes offset (byte offsets
  ;; from `plan`).
  (func (export "verify") (param $n i32) (param $base i32) (param $len i32) (param $plan i32) (param $out i32) (param $cap i32) (result i32)
    (local $c i32) (local $pos i32) (local $key i32) (local $slot i32) (local $k i32) (local $mask i32)
    (local $keys i32) (local $first i32) (local $count i32) (local $pairs i32) (local $lstart i32) (local $llen i32) (local $lbytes i32)
    (local $q i32) (local $qend i32) (local $id i32) (local $start i32) (local $l i32) (local $i i32) (local $lit i32) (local $m i32)
    (local.set $mask (i32.load (local.get $plan)))
    (local.set $keys (i32.add (local.get $plan) (i32.load offset=4 (local.get $plan))))
    (local.set $first (i32.add (local.get $plan) (i32.load offset=8 (local.get $plan))))
    (local.set $count (i32.add (local.get $plan) (i32.load offset=12 (local.get $plan))))
    (local.set $pairs (i32.add (local.get $plan) (i32.load offset=16 (local.get $plan))))
    (local.set $lstart (i32.add (local.get $plan) (i32.load offset=20 (local.get $plan))))
    (local.set $llen (i32.add (local.get $plan) (i32.load offset=24 (local.get $plan))))
    (local.set $lbytes (i32.add (local.get $plan) (i32.load offset=28 (local.get $plan))))
    (block $done
      (loop $cands
        (br_if $done (i32.ge_u (local.get $c) (local.get $n)))
        (local.set $pos (i32.load offset=1024 (i32.shl (local.get $c) (i32.const 2))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br_if $cands (i32.gt_u (i32.add (local.get $pos) (i32.const 3)) (local.get $len)))
        (local.set $key (i32.or (i32.or
          (i32.shl (i32.load8_u offset=256 (i32.load8_u (i32.add (local.get $base) (local.get $pos)))) (i32.const 16))
          (i32.shl (i32.load8_u offset=256 (i32.load8_u offset=1 (i32.add (local.get $base) (local.get $pos)))) (i32.const 8)))
          (i32.load8_u offset=256 (i32.load8_u offset=2 (i32.add (local.get $base) (local.get $pos))))))
        (local.set $slot (i32.and (i32.shr_u (i32.mul (local.get $key) (i32.const 0x9e3779b1)) (i32.const 16)) (local.get $mask)))
        (block $found
          (loop $probe
            (local.set $k (i32.load (i32.add (local.get $keys) (i32.shl (local.get $slot) (i32.const 2)))))
            (br_if $found (i32.eq (local.get $k) (local.get $key)))
            (br_if $cands (i32.eq (local.get $k) (i32.const -1)))
            (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
            (br $probe)))
        (local.set $q (i32.load (i32.add (local.get $first) (i32.shl (local.get $slot) (i32.const 2)))))
        (local.set $qend (i32.add (local.get $q) (i32.load (i32.add (local.get $count) (i32.shl (local.get $slot) (i32.const 2))))))
        (block $pairsDone
          (loop $pairLoop
            (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $qend)))
            (local.set $id (i32.load (i32.add (local.get $pairs) (i32.shl (local.get $q) (i32.const 3)))))
            (local.set $start (i32.sub (local.get $pos) (i32.load offset=4 (i32.add (local.get $pairs) (i32.shl (local.get $q) (i32.const 3))))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (local.set $l (i32.load (i32.add (local.get $llen) (i32.shl (local.get $id) (i32.const 2)))))
            ;; inside the input: start >= 0 and start + l <= len
            (br_if $pairLoop (i32.lt_s (local.get $start) (i32.const 0)))
            (br_if $pairLoop (i32.gt_u (i32.add (local.get $start) (local.get $l)) (local.get $len)))
            (local.set $lit (i32.add (local.get $lbytes) (i32.load (i32.add (local.get $lstart) (i32.shl (local.get $id) (i32.const 2))))))
            (local.set $i (i32.const 0))
            (block $mismatch
              (loop $cmp
                (if (i32.lt_u (local.get $i) (local.get $l))
                  (then
                    (br_if $mismatch (i32.ne
                      (i32.load8_u offset=256 (i32.load8_u (i32.add (i32.add (local.get $base) (local.get $start)) (local.get $i))))
                      (i32.load8_u (i32.add (local.get $lit) (local.get $i)))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $cmp))))
              (if (i32.lt_u (local.get $m) (local.get $cap))
                (then
                  (i32.store (i32.add (local.get $out) (i32.mul (local.get $m) (i32.const 12))) (local.get $start))
                  (i32.store offset=4 (i32.add (local.get $out) (i32.mul (local.get $m) (i32.const 12))) (i32.add (local.get $start) (local.get $l)))
                  (i32.store offset=8 (i32.add (local.get $out) (i32.mul (local.get $m) (i32.const 12))) (local.get $id))
                  (local.set $m (i32.add (local.get $m) (i32.const 1))))))
            (br $pairLoop)))
        (br $cands)))
    (local.get $m))
;; Does [p, end) hold one of `n` literals (ASCII case folded)? The literal table at `tab` has 32 bytes per
  ;; literal: its length (3..31), then its lower-cased bytes. 16 starts at a time are tested on the first
  ;; two bytes (folded by arithmetic: `A`..`Z` + 32), each hit compared in full. Returns 1 or 0.
  (func (export "contains") (param $p i32) (param $end i32) (param $tab i32) (param $n i32) (result i32)
    (local $f0 v128) (local $f1 v128) (local $v v128) (local $m v128)
    (local $upperA v128) (local $span v128) (local $bit v128)
    (local $i i32) (local $lp i32) (local $bits i32) (local $pos i32) (local $len i32) (local $k i32) (local $c i32)
    (local.set $upperA (i8x16.splat (i32.const 65)))
    (local.set $span (i8x16.splat (i32.const 25)))
    (local.set $bit (i8x16.splat (i32.const 32)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $f0 (v128.or (local.get $v) (v128.and (i8x16.le_u (i8x16.sub (local.get $v) (local.get $upperA)) (local.get $span)) (local.get $bit))))
        (local.set $v (v128.load offset=1 (local.get $p)))
        (local.set $f1 (v128.or (local.get $v) (v128.and (i8x16.le_u (i8x16.sub (local.get $v) (local.get $upperA)) (local.get $span)) (local.get $bit))))
        (local.set $i (i32.const 0))
        (block $litsDone
          (loop $lits
            (br_if $litsDone (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $lp (i32.add (local.get $tab) (i32.shl (local.get $i) (i32.const 5))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $m (v128.and
              (i8x16.eq (local.get $f0) (i8x16.splat (i32.load8_u offset=1 (local.get $lp))))
              (i8x16.eq (local.get $f1) (i8x16.splat (i32.load8_u offset=2 (local.get $lp))))))
            (br_if $lits (i32.eqz (v128.any_true (local.get $m))))
            (local.set $bits (i8x16.bitmask (local.get $m)))
            (local.set $len (i32.load8_u (local.get $lp)))
            (block $hitsDone
              (loop $hits
                (br_if $hitsDone (i32.eqz (local.get $bits)))
                (local.set $pos (i32.add (local.get $p) (i32.ctz (local.get $bits))))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                ;; the whole literal must end inside the range
                (br_if $hits (i32.gt_u (i32.add (local.get $pos) (local.get $len)) (local.get $end)))
                (local.set $k (i32.const 2))
                (block $mismatch
                  (loop $cmp
                    (if (i32.lt_u (local.get $k) (local.get $len))
                      (then
                        (local.set $c (i32.load8_u (i32.add (local.get $pos) (local.get $k))))
                        (if (i32.le_u (i32.sub (local.get $c) (i32.const 65)) (i32.const 25))
                          (then (local.set $c (i32.add (local.get $c) (i32.const 32)))))
                        (br_if $mismatch (i32.ne (local.get $c) (i32.load8_u offset=1 (i32.add (local.get $lp) (local.get $k)))))
                        (local.set $k (i32.add (local.get $k) (i32.const 1)))
                        (br $cmp))))
                  (return (i32.const 1)))
                (br $hits)))
            (br $lits)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    (i32.const 0))
)
