/**
 * WebSocket stand-ins on the `ws` library: echo.websocket.org (every message sent back) and
 * test-api.k6.io's crocochat rooms (a SAY is sent to the room as a CHAT_MSG from the sender's name).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { UpgradeHandler } from './site.ts';

export function echoUpgrade(): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true });
  return (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    wss.handleUpgrade(req, socket, head, (ws) =>
      ws.on('message', (data, binary) => ws.send(data, { binary })),
    );
}

export function crocochatUpgrade(): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true });
  const rooms = new Map<string, Set<WebSocket>>();
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const room = /^\/ws\/crocochat\/([^/]+)\/?$/.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1];
    if (!room) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const members = rooms.get(room) ?? new Set<WebSocket>();
      rooms.set(room, members);
      members.add(ws);
      let name = 'anonymous';
      ws.on('close', () => members.delete(ws));
      ws.on('message', (data) => {
        let msg: { event?: string; new_name?: string; message?: string };
        try {
          msg = JSON.parse(String(data));
        } catch {
          ws.send(JSON.stringify({ event: 'ERROR', message: 'not JSON' }));
          return;
        }
        if (msg.event === 'SET_NAME') name = String(msg.new_name);
        else if (msg.event === 'SAY')
          for (const m of members)
            m.send(JSON.stringify({ event: 'CHAT_MSG', user: name, message: msg.message }));
        else if (msg.event === 'LEAVE') ws.close();
      });
    });
  };
}
