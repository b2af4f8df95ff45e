//go:build !race

#include "textflag.h"

// func storeRel(addr *uint64, v uint64)
//
// A plain MOV: on amd64 (TSO) every store is a release store, and the call
// keeps the compiler from moving memory accesses across it.
TEXT ·storeRel(SB), NOSPLIT, $0-16
	MOVQ	addr+0(FP), AX
	MOVQ	v+8(FP), BX
	MOVQ	BX, 0(AX)
	RET
