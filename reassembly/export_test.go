package reassembly

// ManyCopies is manyCopies for the package's external tests.
var ManyCopies = manyCopies
