"""A one-stream RTSP server on 127.0.0.1 for the tests: serves VIDEO (an H.264 mp4) at rtsp://127.0.0.1:PORT/test.

usage: /usr/bin/python3 rtsp_server.py VIDEO [PORT]   (PORT 0 or absent: a free port)
Prints "PORT <n>" once the server socket listens, then runs until killed.
Debian packages: python3-gi gir1.2-gst-rtsp-server-1.0 gir1.2-gstreamer-1.0 gstreamer1.0-plugins-{base,good,bad} gstreamer1.0-rtsp.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    video = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    factory = GstRtspServer.RTSPMediaFactory()
    location = video.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(
        f'( filesrc location="{location}" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )')
    factory.set_shared(False)
    server.get_mount_points().add_factory("/test", factory)
    if server.attach(None) == 0:
        print("ERROR cannot listen", flush=True)
        sys.exit(1)
    print(f"PORT {server.get_bound_port()}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
