// Where each subscription OAuth flow lives: configuration (config/) fills them, providers use them.

/** Endpoints and client registration of a subscription OAuth flow (PROTOCOLS 3.1, 3.3). */
export interface OAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  redirectUri: string;
  /** Space-separated scopes asked for at authorisation. */
  scopes: string;
}

/** Endpoints of the Claude subscription OAuth flow (PROTOCOLS 3.1, 3.2). */
export interface ClaudeOAuthEndpoints extends OAuthEndpoints {
  usageUrl: string;
  profileUrl: string;
}

/** Endpoints of Google's OAuth for Gemini CLI / Code Assist (PROTOCOLS 3.4): an installed app with a client secret. */
export interface GoogleOAuthEndpoints extends OAuthEndpoints {
  clientSecret: string;
}
