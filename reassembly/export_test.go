package reassembly

// ManyCopies is manyCopies for the package's external tests.
var ManyCopies = manyCopies

// CollideAllFlows gives every connection the same hash until restore.
func CollideAllFlows() (restore func()) {
	collideAll = 7
	return func() { collideAll = 0 }
}
