package report

// The Chinese for what captures taken the messy ways make ftptrace say:
// data connections without their control connection, data connections
// recorded before their announcement, transfers the replies prove though
// their data connection is not in the capture.
func init() {
	for en, zh := range map[string]string{
		" It was recorded %s before its announcement: the capture's order is not the order on the wire.": "它在宣告它的指令或应答之前%s就被记录下来：抓包中的顺序并不是线路上的真实顺序。",
		"%s without a control connection": "%s（没有控制连接）",
		"%s and %s":                       "%s和%s",
		"; %s without a control connection in the capture": "；另有%s在抓包中没有对应的控制连接",
		"No control connection of this data connection is in the capture: ftptrace took it for an FTP data connection because %s, and only one side sent bytes, as a data connection in stream mode carries one file one way (RFC 959, section 3.4.1). The command that asked for it is unknown.": "抓包中没有这个数据连接的控制连接：ftptrace把它当作FTP数据连接，因为%s，而且只有一方发送了数据，正如流模式下的数据连接单向传送一个文件（RFC 959第3.4.1节）。请求它的指令未知。",
		"The FTP server is taken to be the side that accepted the connection, as in passive mode.":                                                                                            "接受连接的一方被视为FTP服务器，如同被动模式。",
		"The FTP server is taken to be the side that sent from port 20 (active mode).":                                                                                                        "从20端口发送的一方被视为FTP服务器（主动模式）。",
		"The connections in the capture opened with a three-way handshake and closed with a four-packet teardown, as TCP prescribes; the data connections not in the capture cannot be told.": "抓包中的连接都以三次握手建立、以四次断开结束，符合TCP的规定；不在抓包中的数据连接无从得知。",
		"The data connection opened with a three-way handshake and closed with a four-packet teardown, as TCP prescribes.":                                                                    "数据连接以三次握手建立、以四次断开结束，符合TCP的规定。",
		"The session has one control connection and %s in the capture; its replies (150 or 125, then 226) show %s more used, not in the capture.":                                             "抓包中该会话有一个控制连接和%s；其应答（150或125，然后226）表明另外还用了%s，但不在抓包中。",
		"The session has one control connection in the capture; its replies (150 or 125, then 226) show %s used, not in the capture.":                                                         "抓包中该会话只有1个控制连接；其应答（150或125，然后226）表明用了%s，但不在抓包中。",
		"a directory listing asked for by a command not in the capture":                                                                                                                       "一份目录列表（请求它的指令不在抓包中）",
		"a file asked for by a command not in the capture":                                                                                                                                    "一个文件（请求它的指令不在抓包中）",
		"it came from port 20, the textbook FTP data port":                                                                                                                                    "它来自20端口，即教科书中的FTP数据端口",
		"it carried %s from its first byte":                              "它从第一个字节起就是%s",
		"its content: %s from the first byte, sent one way":              "其内容：从第一个字节起就是%s，单向发送",
		"its content: a directory listing, sent one way":                 "其内容：一份目录列表，单向发送",
		"its port 20, the textbook FTP data port, and data sent one way": "其20端口（教科书中的FTP数据端口）以及单向发送的数据",
		"gzip data":                         "gzip数据",
		"a ZIP archive":                     "ZIP压缩包",
		"a PDF document":                    "PDF文档",
		"an ELF executable":                 "ELF可执行文件",
		"a PNG image":                       "PNG图像",
		"a JPEG image":                      "JPEG图像",
		"a GIF image":                       "GIF图像",
		"xz data":                           "xz数据",
		"a 7-Zip archive":                   "7-Zip压缩包",
		"a RAR archive":                     "RAR压缩包",
		"a Microsoft Office document (OLE)": "Microsoft Office文档（OLE）",
		"an SQLite database":                "SQLite数据库",
		"a Windows executable (PE)":         "Windows可执行文件（PE）",
		"a tar archive":                     "tar归档",
		"a directory listing":               "目录列表",
	} {
		zhCatalogue[en] = zh
	}
}
