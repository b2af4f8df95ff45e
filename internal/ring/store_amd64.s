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

// func storeRelStrided(addr *uint64, stride, n, v uint64)
//
// n plain MOVs, in order, stride bytes apart.
TEXT ·storeRelStrided(SB), NOSPLIT, $0-32
	MOVQ	addr+0(FP), AX
	MOVQ	stride+8(FP), BX
	MOVQ	n+16(FP), CX
	MOVQ	v+24(FP), DX
	TESTQ	CX, CX
	JZ	done
loop:
	MOVQ	DX, 0(AX)
	ADDQ	BX, AX
	DECQ	CX
	JNZ	loop
done:
	RET
