#include "textflag.h"

// func prefetchLine(b *dupBucket)
TEXT ·prefetchLine(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ b+0(FP), AX
	PREFETCHT0 (AX)
	RET
